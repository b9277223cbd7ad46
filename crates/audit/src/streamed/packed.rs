//! An object's JSON text kept compressed. The operator keeps every audited
//! object (about 33,000 at a province's size) as its text between rounds;
//! objects of one kind share most of their text (keys, labels, structure),
//! so each is an LZ4 block against a dictionary made of the first texts of
//! its kind, and is unpacked only when an audit parses it.

use std::sync::Arc;

/// The most a dictionary holds of its kind's first texts (LZ4 reaches back
/// 64 KiB).
pub const DICTIONARY: usize = 32 * 1024;

/// A text, compressed; a clone shares it. It holds the dictionary it was
/// packed against, so it unpacks wherever it goes.
#[derive(Clone)]
pub struct Packed {
    dict: Arc<[u8]>,
    /// The text's length (little-endian u32), then the LZ4 block.
    bytes: Arc<[u8]>,
}

impl Packed {
    /// The text's bytes (`None`: not a block this packs, which a packed text
    /// never is).
    pub fn unpack(&self) -> Option<Vec<u8>> {
        lz4_flex::block::decompress_size_prepended_with_dict(&self.bytes, &self.dict).ok()
    }

    /// The text.
    pub fn text(&self) -> Option<String> {
        String::from_utf8(self.unpack()?).ok()
    }

    /// Bytes it takes, the shared dictionary not counted.
    pub fn len(&self) -> usize {
        self.bytes.len()
    }

    /// The same text, its bytes in an allocation of their own (made where
    /// the caller's allocator places it now: the operator keeps its copy
    /// with what lasts), the dictionary shared.
    pub fn copied(&self) -> Packed {
        Packed { dict: self.dict.clone(), bytes: Arc::from(&*self.bytes) }
    }

    /// Whether it takes none (never: the length is always kept).
    pub fn is_empty(&self) -> bool {
        self.bytes.is_empty()
    }
}

impl std::fmt::Debug for Packed {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Packed({} bytes, dictionary {})", self.bytes.len(), self.dict.len())
    }
}

/// Packs the texts of one kind. Its dictionary is the kind's first texts,
/// made again each time they have doubled it, up to [`DICTIONARY`] bytes;
/// a text keeps the dictionary it was packed against, so the few early
/// dictionaries stay while objects packed against them do.
#[derive(Default)]
pub struct Packer {
    dict: Arc<[u8]>,
    /// Texts seen since the dictionary was last made, to the next one.
    growing: Vec<u8>,
}

impl Packer {
    /// Packs `text`.
    pub fn pack(&mut self, text: &str) -> Packed {
        let bytes = lz4_flex::block::compress_prepend_size_with_dict(text.as_bytes(), &self.dict);
        let packed = Packed { dict: self.dict.clone(), bytes: bytes.into() };
        if self.dict.len() < DICTIONARY {
            let room = DICTIONARY - self.dict.len() - self.growing.len();
            self.growing.extend_from_slice(&text.as_bytes()[..text.len().min(room)]);
            if self.growing.len() >= self.dict.len().max(1) || self.dict.len() + self.growing.len() >= DICTIONARY {
                // LZ4 finds the latest match first: the newest texts last.
                let mut dict = Vec::with_capacity(self.dict.len() + self.growing.len());
                dict.extend_from_slice(&self.dict);
                dict.append(&mut self.growing);
                self.dict = dict.into();
            }
        }
        packed
    }

    /// The dictionary's size now.
    pub fn dictionary_len(&self) -> usize {
        self.dict.len()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    /// Texts of one kind, each unpacked to itself: the first (no dictionary
    /// yet), those packed while the dictionary grows, and after it is full;
    /// and texts that share nothing with the dictionary.
    #[test]
    fn every_text_unpacks_to_itself_as_the_dictionary_grows() {
        let mut p = Packer::default();
        let mut kept = Vec::new();
        for i in 0..400 {
            let text = format!(
                r#"{{"apiVersion":"v1","kind":"Service","metadata":{{"name":"app-{i}","namespace":"tenant-{}","labels":{{"govcloud.gov.cn/app":"app-{i}"}}}},"spec":{{"ports":[{{"port":{}}}]}}}}"#,
                i % 7,
                8000 + i
            );
            kept.push((text.clone(), p.pack(&text)));
        }
        assert_eq!(p.dictionary_len(), DICTIONARY, "the dictionary fills up to its size");
        for (text, packed) in &kept {
            assert_eq!(packed.text().as_deref(), Some(text.as_str()));
            assert_eq!(packed.copied().text().as_deref(), Some(text.as_str()), "a copy unpacks alike");
        }
        // Similar texts pack small once the dictionary holds their like.
        let late: usize = kept[300..].iter().map(|(_, p)| p.len()).sum();
        let plain: usize = kept[300..].iter().map(|(t, _)| t.len()).sum();
        assert!(late * 4 < plain, "{late} packed bytes for {plain} of text");
        let other = "ünïcödé, and nothing like a Service: 甘肃 赤峰 ᠬᠣᠲᠠ".repeat(3);
        assert_eq!(p.pack(&other).text().as_deref(), Some(other.as_str()));
        assert_eq!(p.pack("").text().as_deref(), Some(""));
    }

    proptest! {
        /// Any texts, in any order, unpack to themselves.
        #[test]
        fn any_texts_unpack_to_themselves(texts in proptest::collection::vec(".{0,3000}", 1..40)) {
            let mut p = Packer::default();
            let kept: Vec<_> = texts.iter().map(|t| (t, p.pack(t))).collect();
            for (t, packed) in kept {
                let back = packed.text();
                prop_assert_eq!(back.as_deref(), Some(t.as_str()));
            }
        }
    }
}
