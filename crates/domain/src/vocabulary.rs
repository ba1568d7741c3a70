//! The one macro for closed vocabularies (case statuses, expert kinds…): a list of
//! `Variant => "text"` pairs becomes an enum whose stored text, serde name and Fluent message id
//! cannot drift apart.

macro_rules! vocabulary {
    ($(#[$doc:meta])* $name:ident, $key_prefix:literal { $($(#[$vdoc:meta])* $variant:ident => $text:literal,)+ }) => {
        $(#[$doc])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize, serde::Deserialize)]
        #[serde(rename_all = "snake_case")]
        pub enum $name {
            $($(#[$vdoc])* $variant,)+
        }

        impl $name {
            pub const ALL: [Self; [$($text),+].len()] = [$(Self::$variant),+];

            pub fn as_str(self) -> &'static str {
                match self {
                    $(Self::$variant => $text,)+
                }
            }

            pub fn parse(s: &str) -> Option<Self> {
                Self::ALL.into_iter().find(|v| v.as_str() == s)
            }

            /// Fluent message id of the label shown to users.
            pub fn message_key(self) -> &'static str {
                match self {
                    $(Self::$variant => concat!($key_prefix, $text),)+
                }
            }
        }
    };
}
