//! Reports as the API server lists them, read a result at a time: of each,
//! its namespace and name, its [content hash](super::ContentHash) and the
//! times of its results ([`Stamps`]), never the report as a tree of JSON
//! values (at a province's size a page of eight reports as JSON values was
//! 16 MiB at the peak of a round after a restart).

use std::collections::HashMap;
use std::fmt;

use serde::Deserialize;
use serde::de::{self, DeserializeSeed, Deserializer, IgnoredAny, MapAccess, SeqAccess, Visitor};
use serde_json::Value;

use super::{ContentHash, Shape, Stamp, Stamps, stamp_of};

/// One listed report.
#[derive(Clone, Debug, PartialEq)]
pub struct Listed {
    /// Its namespace (`""`: cluster-scoped).
    pub namespace: String,
    /// Its name.
    pub name: String,
    /// The hash of its summary and results ([`super::content_hash_of`] of it).
    pub content: u64,
    /// When each of its results last changed ([`Stamps::of`] of it).
    pub stamps: Stamps,
}

/// A page of a report list: its reports and the token of the next page.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct ListedPage {
    /// The reports of the page.
    pub items: Vec<Listed>,
    /// The list's `metadata.continue` (`None` or empty: the last page).
    pub continue_: Option<String>,
}

impl<'de> Deserialize<'de> for ListedPage {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct Page;
        impl<'de> Visitor<'de> for Page {
            type Value = ListedPage;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a list of reports")
            }
            fn visit_map<A: MapAccess<'de>>(self, mut m: A) -> Result<ListedPage, A::Error> {
                #[derive(Deserialize)]
                struct Meta {
                    #[serde(default, rename = "continue")]
                    continue_: Option<String>,
                }
                let mut page = ListedPage::default();
                while let Some(k) = m.next_key::<String>()? {
                    match k.as_str() {
                        "items" => page.items = m.next_value::<Option<Vec<Listed>>>()?.unwrap_or_default(),
                        "metadata" => page.continue_ = m.next_value::<Option<Meta>>()?.and_then(|m| m.continue_),
                        _ => {
                            m.next_value::<IgnoredAny>()?;
                        }
                    }
                }
                Ok(page)
            }
        }
        d.deserialize_map(Page)
    }
}

impl<'de> Deserialize<'de> for Listed {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct Report;
        impl<'de> Visitor<'de> for Report {
            type Value = Listed;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a report")
            }
            fn visit_map<A: MapAccess<'de>>(self, mut m: A) -> Result<Listed, A::Error> {
                #[derive(Deserialize, Default)]
                struct Meta {
                    #[serde(default)]
                    namespace: Option<String>,
                    #[serde(default)]
                    name: Option<String>,
                }
                let (mut meta, mut content, mut by) = (Meta::default(), ContentHash::new(), HashMap::new());
                while let Some(k) = m.next_key::<String>()? {
                    match k.as_str() {
                        "metadata" => meta = m.next_value::<Option<Meta>>()?.unwrap_or_default(),
                        "summary" => {
                            let s = m.next_value::<Value>()?;
                            if !s.is_null() {
                                content.summary(&s.to_string());
                            }
                        }
                        "results" => m.next_value_seed(Results { content: &mut content, by: &mut by })?,
                        _ => {
                            m.next_value::<IgnoredAny>()?;
                        }
                    }
                }
                Ok(Listed {
                    namespace: meta.namespace.unwrap_or_default(),
                    name: meta.name.unwrap_or_default(),
                    content: content.finish(),
                    stamps: Stamps::from_map(by),
                })
            }
        }
        d.deserialize_map(Report)
    }
}

/// A report's results, one at a time into its content hash and stamps.
struct Results<'a> {
    content: &'a mut ContentHash,
    by: &'a mut HashMap<u64, Stamp>,
}

impl<'de> DeserializeSeed<'de> for Results<'_> {
    type Value = ();
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
        d.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for Results<'_> {
    type Value = ();
    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a list of results")
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut s: A) -> Result<(), A::Error> {
        self.content.shape = Shape::List;
        while let Some(r) = s.next_element::<Value>()? {
            self.content.result(&r.to_string());
            if let Some((k, at)) = stamp_of(&r) {
                // When two results say the same, the later one's time.
                self.by.insert(k, at);
            }
        }
        Ok(())
    }
    fn visit_unit<E: de::Error>(self) -> Result<(), E> {
        Ok(())
    }
    fn visit_none<E: de::Error>(self) -> Result<(), E> {
        Ok(())
    }
    // Anything else is not what govcloud writes: it is written again.
    fn visit_bool<E: de::Error>(self, _: bool) -> Result<(), E> {
        self.content.shape = Shape::Other;
        Ok(())
    }
    fn visit_i64<E: de::Error>(self, _: i64) -> Result<(), E> {
        self.content.shape = Shape::Other;
        Ok(())
    }
    fn visit_u64<E: de::Error>(self, _: u64) -> Result<(), E> {
        self.content.shape = Shape::Other;
        Ok(())
    }
    fn visit_f64<E: de::Error>(self, _: f64) -> Result<(), E> {
        self.content.shape = Shape::Other;
        Ok(())
    }
    fn visit_str<E: de::Error>(self, _: &str) -> Result<(), E> {
        self.content.shape = Shape::Other;
        Ok(())
    }
    fn visit_map<A: MapAccess<'de>>(self, mut m: A) -> Result<(), A::Error> {
        self.content.shape = Shape::Other;
        while m.next_entry::<IgnoredAny, IgnoredAny>()?.is_some() {}
        Ok(())
    }
}

#[cfg(test)]
mod tests;
