//! `ko_bigram`: a dictionary-free tokenizer for Korean (and CJK) mixed with Latin text.
//!
//! Korean is agglutinative: "인증을", "인증서", "인증이" share the stem only as a substring, so
//! whole-word tokens would miss most matches. Overlapping character bigrams make any substring of
//! two or more syllables findable without a morphological dictionary (lindera's cannot be fetched
//! offline). Latin runs stay whole words, lowercased, because English does separate its words.

use tantivy::tokenizer::{RemoveLongFilter, TextAnalyzer, Token, TokenStream, Tokenizer};

/// Name under which [`analyzer`] is registered in the index.
pub const NAME: &str = "ko_bigram";

/// Longer tokens (base64 blobs, URLs without separators) only bloat the term dictionary.
const MAX_TOKEN_BYTES: usize = 64;

/// The analyzer used for both indexing and queries, so both sides see the same tokens.
pub fn analyzer() -> TextAnalyzer {
    TextAnalyzer::builder(KoBigramTokenizer).filter(RemoveLongFilter::limit(MAX_TOKEN_BYTES)).build()
}

/// Splits text into script runs: Hangul and CJK runs become overlapping bigrams, other
/// alphanumeric runs become lowercased words, everything else separates tokens.
#[derive(Clone, Copy, Debug, Default)]
pub struct KoBigramTokenizer;

#[derive(Clone, Copy, PartialEq, Eq)]
enum Class {
    Hangul,
    /// Han ideographs and kana: bigrammed like Hangul, but a separate run so that Hanja written
    /// against Korean ("韓國어") does not yield a cross-script bigram that no query would contain.
    Cjk,
    Word,
    Separator,
}

fn class(c: char) -> Class {
    match c {
        '\u{AC00}'..='\u{D7A3}'       // syllables
        | '\u{1100}'..='\u{11FF}'     // Jamo
        | '\u{3130}'..='\u{318F}'     // compatibility Jamo
        | '\u{A960}'..='\u{A97F}'     // Jamo extended-A
        | '\u{D7B0}'..='\u{D7FF}' => Class::Hangul, // Jamo extended-B
        '\u{3040}'..='\u{30FF}'       // hiragana, katakana
        | '\u{31F0}'..='\u{31FF}'     // katakana phonetic extensions
        | '\u{3400}'..='\u{4DBF}'     // CJK extension A
        | '\u{4E00}'..='\u{9FFF}'     // CJK unified ideographs
        | '\u{F900}'..='\u{FAFF}'     // CJK compatibility ideographs
        | '\u{FF66}'..='\u{FF9F}'     // half-width katakana
        | '\u{20000}'..='\u{3FFFF}' => Class::Cjk, // supplementary ideographic planes
        c if c.is_alphanumeric() => Class::Word,
        _ => Class::Separator,
    }
}

impl Tokenizer for KoBigramTokenizer {
    type TokenStream<'a> = KoBigramStream<'a>;

    fn token_stream<'a>(&'a mut self, text: &'a str) -> KoBigramStream<'a> {
        KoBigramStream { text, cursor: 0, run: None, token: Token::default() }
    }
}

/// A bigram run in progress: the byte offset of its last character, not yet paired.
struct Run {
    start: usize,
    class: Class,
    /// Whether a bigram came out of this run; if none did, the lone character is the token.
    emitted: bool,
}

/// Lazy stream: no allocation beyond the reused token text.
pub struct KoBigramStream<'a> {
    text: &'a str,
    cursor: usize,
    run: Option<Run>,
    token: Token,
}

impl KoBigramStream<'_> {
    fn emit(&mut self, from: usize, to: usize) {
        let t = &mut self.token;
        // Token::default() starts at usize::MAX so the first token lands on position 0;
        // one position per token keeps consecutive bigrams adjacent for phrase queries.
        t.position = t.position.wrapping_add(1);
        t.offset_from = from;
        t.offset_to = to;
        t.text.clear();
        let s = &self.text[from..to];
        if s.is_ascii() {
            t.text.push_str(s);
            t.text.make_ascii_lowercase();
        } else {
            t.text.extend(s.chars().flat_map(char::to_lowercase));
        }
    }
}

impl TokenStream for KoBigramStream<'_> {
    fn advance(&mut self) -> bool {
        loop {
            let next = self.text[self.cursor..].chars().next();
            if let Some(run) = &mut self.run {
                match next {
                    Some(c) if class(c) == run.class => {
                        let (from, end) = (run.start, self.cursor + c.len_utf8());
                        run.start = self.cursor;
                        run.emitted = true;
                        self.cursor = end;
                        self.emit(from, end);
                        return true;
                    }
                    _ => {
                        let run = self.run.take().expect("checked above");
                        if !run.emitted {
                            self.emit(run.start, self.cursor);
                            return true;
                        }
                    }
                }
            }
            let c = match next {
                Some(c) => c,
                None => return false,
            };
            match class(c) {
                Class::Separator => self.cursor += c.len_utf8(),
                Class::Word => {
                    let start = self.cursor;
                    let end = self.text[start..]
                        .char_indices()
                        .find(|&(_, c)| class(c) != Class::Word)
                        .map_or(self.text.len(), |(i, _)| start + i);
                    self.cursor = end;
                    self.emit(start, end);
                    return true;
                }
                cls => {
                    self.run = Some(Run { start: self.cursor, class: cls, emitted: false });
                    self.cursor += c.len_utf8();
                }
            }
        }
    }

    fn token(&self) -> &Token {
        &self.token
    }

    fn token_mut(&mut self) -> &mut Token {
        &mut self.token
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tokens(text: &str) -> Vec<(String, usize)> {
        let mut a = analyzer();
        let mut s = a.token_stream(text);
        let mut out = Vec::new();
        while let Some(t) = s.next() {
            assert_eq!(&text[t.offset_from..t.offset_to].to_lowercase(), &t.text);
            out.push((t.text.clone(), t.position));
        }
        out
    }

    fn texts(text: &str) -> Vec<String> {
        tokens(text).into_iter().map(|(t, _)| t).collect()
    }

    #[test]
    fn korean_bigrams() {
        assert_eq!(texts("수출지원"), ["수출", "출지", "지원"]);
        assert_eq!(texts("인도네시아 할랄 인증"), ["인도", "도네", "네시", "시아", "할랄", "인증"]);
    }

    #[test]
    fn english_words_lowercased() {
        assert_eq!(texts("Halal Certification, FDA-registered!"), ["halal", "certification", "fda", "registered"]);
        assert_eq!(texts("Ünïcode ÉTÉ"), ["ünïcode", "été"]);
    }

    #[test]
    fn mixed_scripts() {
        assert_eq!(texts("EU 인증 CE-marking 2026"), ["eu", "인증", "ce", "marking", "2026"]);
        // Script changes split runs even without spaces.
        assert_eq!(texts("CE인증을KC로"), ["ce", "인증", "증을", "kc", "로"]);
        assert_eq!(texts("東京タワー"), ["東京", "京タ", "タワ", "ワー"]);
    }

    #[test]
    fn single_syllables() {
        assert_eq!(texts("수"), ["수"]);
        assert_eq!(texts("가 나 다라"), ["가", "나", "다라"]);
        assert_eq!(texts("(세)"), ["세"]);
    }

    #[test]
    fn empty_and_separators_only() {
        assert!(texts("").is_empty());
        assert!(texts("  -- ,. ! ").is_empty());
    }

    #[test]
    fn positions_increase_by_one() {
        let t = tokens("EU 인증 CE-marking 2026 수출지원");
        let positions: Vec<usize> = t.iter().map(|(_, p)| *p).collect();
        assert_eq!(positions, (0..t.len()).collect::<Vec<_>>());
    }

    #[test]
    fn long_tokens_dropped() {
        let blob = "a".repeat(MAX_TOKEN_BYTES + 1);
        assert_eq!(texts(&format!("ok {blob} 좋다")), ["ok", "좋다"]);
    }
}
