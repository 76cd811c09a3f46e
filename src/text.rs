//! [`Text`]: the strings of the schema, the catalog and the rules' conditions. Most runs
//! decode these from the embedded stdlib's checked state (`crate::stdlib`), which lives as
//! long as the program, so a `Text` decoded from there borrows its bytes in place instead of
//! allocating a copy of each name and doc comment (on the typical plan about 7,700 strings,
//! whose copying and checking were about a fifth of the run's instructions; borrowing
//! them took the run from 6.75M to 6.32M). Any other `Text` owns its string.

use std::borrow::{Borrow, Cow};
use std::fmt;
use std::ops::Deref;

/// The bytes built into the program that values decoded from them may read in place (the
/// rules' [`crate::rules::Lazy`] parts, [`Text`]): the embedded stdlib's checked state.
static EMBEDDED: std::sync::OnceLock<&'static [u8]> = std::sync::OnceLock::new();

/// Registers the embedded checked state before it is decoded (`Stdlib::prelude`).
pub fn embed(bytes: &'static [u8]) {
    let _ = EMBEDDED.set(bytes);
}

/// `v` as the part of the embedded checked state it is, if it lies there.
pub(crate) fn embedded_part(v: &[u8]) -> Option<&'static [u8]> {
    let whole: &'static [u8] = EMBEDDED.get()?;
    let start = (v.as_ptr() as usize).checked_sub(whole.as_ptr() as usize)?;
    whole.get(start..start.checked_add(v.len())?)
}

#[derive(Clone, Default, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Text(Cow<'static, str>);

impl Text {
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// Whether this reads its bytes in place (decoded from the embedded checked state).
    pub fn is_borrowed(&self) -> bool {
        matches!(self.0, Cow::Borrowed(_))
    }
}

impl Deref for Text {
    type Target = str;
    fn deref(&self) -> &str {
        &self.0
    }
}

impl AsRef<str> for Text {
    fn as_ref(&self) -> &str {
        &self.0
    }
}

// `Hash` and `Eq` are those of the `str` (through `Cow`), so maps keyed by `Text` are
// looked up by `&str`
impl Borrow<str> for Text {
    fn borrow(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for Text {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(&*self.0, f)
    }
}

/// As a `String` prints, so a `Text` in a derived `Debug` reads as the `String` it replaced.
impl fmt::Debug for Text {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(&*self.0, f)
    }
}

impl From<String> for Text {
    fn from(s: String) -> Text {
        Text(Cow::Owned(s))
    }
}

impl From<&str> for Text {
    fn from(s: &str) -> Text {
        Text(Cow::Owned(s.to_owned()))
    }
}

impl PartialEq<str> for Text {
    fn eq(&self, other: &str) -> bool {
        *self.0 == *other
    }
}

impl PartialEq<&str> for Text {
    fn eq(&self, other: &&str) -> bool {
        *self.0 == **other
    }
}

impl PartialEq<String> for Text {
    fn eq(&self, other: &String) -> bool {
        *self.0 == **other
    }
}

impl PartialEq<Text> for str {
    fn eq(&self, other: &Text) -> bool {
        *self == *other.0
    }
}

impl PartialEq<Text> for &str {
    fn eq(&self, other: &Text) -> bool {
        **self == *other.0
    }
}

impl PartialEq<Text> for String {
    fn eq(&self, other: &Text) -> bool {
        **self == *other.0
    }
}

impl serde::Serialize for Text {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.0)
    }
}

impl<'de> serde::Deserialize<'de> for Text {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Text, D::Error> {
        struct V;
        impl<'de> serde::de::Visitor<'de> for V {
            type Value = Text;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a string")
            }
            // bincode writes a `str` as its bytes; asked for bytes, it hands them over
            // borrowed and unvalidated, so most names (plain ASCII) skip `from_utf8`
            fn visit_borrowed_bytes<E: serde::de::Error>(self, v: &'de [u8]) -> Result<Text, E> {
                match embedded_part(v) {
                    Some(b) if b.is_ascii() => {
                        // SAFETY: ASCII bytes are valid UTF-8
                        Ok(Text(Cow::Borrowed(unsafe { std::str::from_utf8_unchecked(b) })))
                    }
                    Some(b) => std::str::from_utf8(b).map(|s| Text(Cow::Borrowed(s))).map_err(E::custom),
                    None => self.visit_bytes(v),
                }
            }
            fn visit_bytes<E: serde::de::Error>(self, v: &[u8]) -> Result<Text, E> {
                std::str::from_utf8(v).map(Text::from).map_err(E::custom)
            }
            fn visit_byte_buf<E: serde::de::Error>(self, v: Vec<u8>) -> Result<Text, E> {
                String::from_utf8(v).map(Text::from).map_err(E::custom)
            }
            fn visit_borrowed_str<E>(self, v: &'de str) -> Result<Text, E> {
                Ok(match embedded_part(v.as_bytes()) {
                    // SAFETY: the part is the bytes of `v`, in the same place, and `v` is a
                    // `str`: they are valid UTF-8
                    Some(b) => Text(Cow::Borrowed(unsafe { std::str::from_utf8_unchecked(b) })),
                    None => Text::from(v),
                })
            }
            fn visit_str<E>(self, v: &str) -> Result<Text, E> {
                Ok(Text::from(v))
            }
            fn visit_string<E>(self, v: String) -> Result<Text, E> {
                Ok(Text::from(v))
            }
        }
        d.deserialize_bytes(V)
    }
}

#[cfg(test)]
mod tests {
    use super::Text;

    #[test]
    fn reads_and_prints_as_the_string() {
        let t = Text::from("batch_size");
        assert_eq!(t, "batch_size");
        assert_eq!(format!("{t:?}"), format!("{:?}", "batch_size"));
        assert_eq!(format!("{t}"), "batch_size");
        let mut m = crate::fasthash::FastMap::default();
        m.insert(t.clone(), 1);
        assert_eq!(m.get("batch_size"), Some(&1));
        let json = serde_json::to_string(&t).unwrap();
        assert_eq!(json, "\"batch_size\"");
        let back: Text = serde_json::from_str(&json).unwrap();
        assert_eq!(back, t);
        let bin = bincode::serialize(&t).unwrap();
        assert_eq!(bin, bincode::serialize("batch_size").unwrap());
        let back: Text = bincode::deserialize(&bin).unwrap();
        assert_eq!(back.as_str(), "batch_size");
    }
}
