//! Fuzz target for the rule parser: `cargo +nightly fuzz run parse` (needs cargo-fuzz).
//! Whatever the input, parsing returns a rule or an error; a rule that parses must print to
//! a text that parses back to the same rule, and its JSON form must do the same.

#![no_main]

use libfuzzer_sys::fuzz_target;
use std::sync::OnceLock;

fuzz_target!(|data: &[u8]| {
    static LANG: OnceLock<rules::Language> = OnceLock::new();
    let lang = LANG.get_or_init(rules::Language::standard);
    let Ok(text) = std::str::from_utf8(data) else { return };
    if let Ok(rule) = rules::parse_any(text, lang) {
        let again = rules::parse(&rule.to_text(), lang).expect("canonical text parses");
        assert_eq!(again, rule);
        let from_json = rules::Rule::from_json(&rule.to_json(), lang).expect("JSON form parses");
        assert_eq!(from_json, rule);
    }
});
