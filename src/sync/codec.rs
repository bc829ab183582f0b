//! The sync messages and their file format, pure: bytes in, a message or a clear error out.
//!
//! A sync file (a bundle, a push or a reply; the same bytes go over SSH) is:
//!
//! ```text
//! magic "DUEDESK\x1a" (8) | format version (1) | kind (1) | site (u32 BE)
//! | payload length after zstd (u64 BE) | payload length before (u64 BE) | CRC-32 of payload (u32 BE)
//! | payload: zstd of bincode (standard) of the message
//! ```
//!
//! The header names the kind and the site, so a file of the wrong kind or site is refused
//! before anything is decompressed; the CRC covers the compressed payload, so a flipped or
//! truncated byte is caught before decoding. Entries inside are `store::entry_bytes`: the
//! journal's own encoding.

use serde::{Deserialize, Serialize};

pub const MAGIC: &[u8; 8] = b"DUEDESK\x1a";
/// The format of sync files this duedesk writes and reads (2: a rejected entry's verdict is a
/// typed refusal, no longer its English words).
pub const VERSION: u8 = 2;
const HEADER: usize = 8 + 1 + 1 + 4 + 8 + 8 + 4;
/// The most a payload may decompress to (a bundle of a large branch fits many times over).
const MAX_PAYLOAD: u64 = 4 << 30;
const ZSTD_LEVEL: i32 = 9;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    Bundle = 1,
    Push = 2,
    Reply = 3,
}

impl Kind {
    fn from_byte(b: u8) -> Option<Kind> {
        match b {
            1 => Some(Kind::Bundle),
            2 => Some(Kind::Push),
            3 => Some(Kind::Reply),
            _ => None,
        }
    }

    pub fn name(self) -> &'static str {
        match self {
            Kind::Bundle => "bootstrap bundle (sync clone)",
            Kind::Push => "push (sync push)",
            Kind::Reply => "reply (sync accept)",
        }
    }
}

/// What a new branch database starts from: head office's entries for the site's scope.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Bundle {
    pub site: u32,
    pub code: String,
    pub name: String,
    pub branches: Vec<String>,
    /// Head office's journal (local order) the entries run through: the branch's cursor.
    pub cursor: u64,
    /// `store::entry_bytes` of each entry, in head office's order.
    pub entries: Vec<Vec<u8>>,
}

/// A branch's entries head office has not decided, and what of head office's it holds.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Push {
    pub site: u32,
    pub code: String,
    /// Head office's journal order the branch holds entries through.
    pub cursor: u64,
    /// The branch's seqs this push covers: `first` is the one after the last decided, `last`
    /// the branch's latest (entries between that never travel are not in `entries`).
    pub first: u64,
    pub last: u64,
    pub entries: Vec<Vec<u8>>,
}

/// Head office's answer to a push: a verdict on each pushed entry, and head office's entries
/// for the site's scope after the push's cursor.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Reply {
    pub site: u32,
    /// The push's cursor: the items follow it.
    pub from: u64,
    /// Head office's journal order the items run through: the branch's next cursor.
    pub through: u64,
    /// Every seq of the site up to this one is decided.
    pub decided: u64,
    pub verdicts: Vec<(u64, Verdict)>,
    pub items: Vec<Item>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum Verdict {
    Accepted,
    /// Why head office's app refused it: a refusal kind and its figures (its encoding is
    /// pinned by `domain::refusal`'s golden bytes), worded where it is shown.
    Rejected {
        reason: crate::domain::Refusal,
    },
}

/// One entry of head office's order, with its place in head office's journal.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum Item {
    /// An entry the branch does not hold: its bytes.
    Entry { order: u64, bytes: Vec<u8> },
    /// The branch's own entry of seq `seq`, accepted: its place in head office's order.
    Own { order: u64, seq: u64 },
    /// An entry before the cursor about a customer moved into the site's branches: its
    /// history, which goes before head office's new entries (the branch passes over what it
    /// holds).
    Earlier { bytes: Vec<u8> },
}

impl Item {
    pub fn order(&self) -> u64 {
        match self {
            Item::Entry { order, .. } | Item::Own { order, .. } => *order,
            Item::Earlier { .. } => 0,
        }
    }
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Message {
    Bundle(Bundle),
    Push(Push),
    Reply(Reply),
}

impl Message {
    pub fn kind(&self) -> Kind {
        match self {
            Message::Bundle(_) => Kind::Bundle,
            Message::Push(_) => Kind::Push,
            Message::Reply(_) => Kind::Reply,
        }
    }

    pub fn site(&self) -> u32 {
        match self {
            Message::Bundle(m) => m.site,
            Message::Push(m) => m.site,
            Message::Reply(m) => m.site,
        }
    }
}

/// Why bytes are not a sync message this duedesk accepts.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CodecError {
    #[error(
        "not a duedesk sync file (it does not start with duedesk's mark); give the file sync push, sync accept or sync clone wrote"
    )]
    NotSync,
    #[error(
        "the file is truncated: {found} bytes, a sync file holds at least {expected}; copy it again"
    )]
    Short { found: usize, expected: usize },
    #[error(
        "sync file format {found}: this duedesk reads format {VERSION}; use the same duedesk version at both ends"
    )]
    Version { found: u8 },
    #[error("the file is a {found}, expected a {expected}")]
    WrongKind {
        found: String,
        expected: &'static str,
    },
    #[error(
        "the file is truncated or has bytes added: its payload should be {expected} bytes, found {found}; copy it again"
    )]
    Length { expected: u64, found: u64 },
    #[error("the file is corrupted (checksum mismatch); copy or send it again")]
    Checksum,
    #[error("the file's payload cannot be read ({0}); copy or send it again")]
    Payload(String),
}

fn kind_name(byte: u8) -> String {
    Kind::from_byte(byte).map_or(format!("file of unknown kind {byte}"), |k| {
        k.name().to_string()
    })
}

/// The bytes of a message as a sync file.
pub fn encode(message: &Message) -> Vec<u8> {
    let body = match message {
        Message::Bundle(m) => crate::store::encode_value(m),
        Message::Push(m) => crate::store::encode_value(m),
        Message::Reply(m) => crate::store::encode_value(m),
    };
    let payload = zstd::bulk::compress(&body, ZSTD_LEVEL).expect("compressing to memory");
    let mut out = Vec::with_capacity(HEADER + payload.len());
    out.extend_from_slice(MAGIC);
    out.push(VERSION);
    out.push(message.kind() as u8);
    out.extend_from_slice(&message.site().to_be_bytes());
    out.extend_from_slice(&(payload.len() as u64).to_be_bytes());
    out.extend_from_slice(&(body.len() as u64).to_be_bytes());
    out.extend_from_slice(&crc32fast::hash(&payload).to_be_bytes());
    out.extend_from_slice(&payload);
    out
}

/// Reads a sync file, which must be of kind `expected`.
pub fn decode(bytes: &[u8], expected: Kind) -> Result<Message, CodecError> {
    if bytes.len() < MAGIC.len() || &bytes[..MAGIC.len()] != MAGIC {
        return Err(if MAGIC.starts_with(bytes) && !bytes.is_empty() {
            CodecError::Short {
                found: bytes.len(),
                expected: HEADER,
            }
        } else {
            CodecError::NotSync
        });
    }
    if bytes.len() < HEADER {
        return Err(CodecError::Short {
            found: bytes.len(),
            expected: HEADER,
        });
    }
    let version = bytes[8];
    if version != VERSION {
        return Err(CodecError::Version { found: version });
    }
    if bytes[9] != expected as u8 {
        return Err(CodecError::WrongKind {
            found: kind_name(bytes[9]),
            expected: expected.name(),
        });
    }
    let site = u32::from_be_bytes(bytes[10..14].try_into().expect("4 bytes"));
    let stored = u64::from_be_bytes(bytes[14..22].try_into().expect("8 bytes"));
    let plain = u64::from_be_bytes(bytes[22..30].try_into().expect("8 bytes"));
    let crc = u32::from_be_bytes(bytes[30..34].try_into().expect("4 bytes"));
    let payload = &bytes[HEADER..];
    if payload.len() as u64 != stored {
        return Err(CodecError::Length {
            expected: stored,
            found: payload.len() as u64,
        });
    }
    if crc32fast::hash(payload) != crc {
        return Err(CodecError::Checksum);
    }
    if plain > MAX_PAYLOAD {
        return Err(CodecError::Payload(format!(
            "it claims {plain} bytes, more than a sync file holds"
        )));
    }
    let body = zstd::bulk::decompress(payload, plain as usize)
        .map_err(|e| CodecError::Payload(e.to_string()))?;
    if body.len() as u64 != plain {
        return Err(CodecError::Payload(format!(
            "{} bytes where {plain} were written",
            body.len()
        )));
    }
    let bad = |e: crate::store::StoreError| CodecError::Payload(e.to_string());
    let message = match expected {
        Kind::Bundle => Message::Bundle(crate::store::decode_value(&body).map_err(bad)?),
        Kind::Push => Message::Push(crate::store::decode_value(&body).map_err(bad)?),
        Kind::Reply => Message::Reply(crate::store::decode_value(&body).map_err(bad)?),
    };
    if message.site() != site {
        return Err(CodecError::Payload(format!(
            "its header names site {site}, its content site {}",
            message.site()
        )));
    }
    Ok(message)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn sample_reply(entries: Vec<Vec<u8>>) -> Message {
        Message::Reply(Reply {
            site: 2,
            from: 10,
            through: 40,
            decided: 7,
            verdicts: vec![
                (6, Verdict::Accepted),
                (
                    7,
                    Verdict::Rejected {
                        reason: crate::domain::Refusal::PaymentNotPending {
                            id: "P3".into(),
                            state: "confirmed".into(),
                        },
                    },
                ),
            ],
            items: entries
                .into_iter()
                .enumerate()
                .map(|(i, bytes)| Item::Entry {
                    order: 11 + i as u64,
                    bytes,
                })
                .chain([Item::Own { order: 99, seq: 6 }])
                .collect(),
        })
    }

    fn entries() -> impl Strategy<Value = Vec<Vec<u8>>> {
        proptest::collection::vec(proptest::collection::vec(any::<u8>(), 0..60), 0..20)
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(200))]

        #[test]
        fn a_message_reads_back_as_written(entries in entries(), first in 0u64..1000) {
            let push = Message::Push(Push {
                site: 3, code: "CH".into(), cursor: 5, first, last: first + 3, entries: entries.clone(),
            });
            prop_assert_eq!(decode(&encode(&push), Kind::Push).unwrap(), push);
            let reply = sample_reply(entries);
            prop_assert_eq!(decode(&encode(&reply), Kind::Reply).unwrap(), reply);
        }

        /// Every truncation is refused with an error, never a panic.
        #[test]
        fn a_truncated_file_is_refused(entries in entries(), cut in any::<prop::sample::Index>()) {
            let bytes = encode(&sample_reply(entries));
            let keep = cut.index(bytes.len());
            prop_assert!(decode(&bytes[..keep], Kind::Reply).is_err());
        }

        /// Any flipped bit is refused (the header's fields, or the checksum).
        #[test]
        fn a_flipped_bit_is_refused(entries in entries(), at in any::<prop::sample::Index>(), bit in 0u8..8) {
            let mut bytes = encode(&sample_reply(entries));
            let i = at.index(bytes.len());
            bytes[i] ^= 1 << bit;
            prop_assert!(decode(&bytes, Kind::Reply).is_err());
        }

        /// Arbitrary bytes, even behind a valid header, give an error and never a panic.
        #[test]
        fn arbitrary_bytes_never_panic(junk in proptest::collection::vec(any::<u8>(), 0..300), plain in 0u64..100_000) {
            let _ = decode(&junk, Kind::Push);
            let mut bytes = MAGIC.to_vec();
            bytes.push(VERSION);
            bytes.push(Kind::Push as u8);
            bytes.extend_from_slice(&3u32.to_be_bytes());
            bytes.extend_from_slice(&(junk.len() as u64).to_be_bytes());
            bytes.extend_from_slice(&plain.to_be_bytes());
            bytes.extend_from_slice(&crc32fast::hash(&junk).to_be_bytes());
            bytes.extend_from_slice(&junk);
            prop_assert!(decode(&bytes, Kind::Push).is_err());
            // A well-formed zstd frame of garbage inside a valid file: a clear error.
            let payload = zstd::bulk::compress(&junk, 1).unwrap();
            let mut framed = bytes[..14].to_vec();
            framed.extend_from_slice(&(payload.len() as u64).to_be_bytes());
            framed.extend_from_slice(&(junk.len() as u64).to_be_bytes());
            framed.extend_from_slice(&crc32fast::hash(&payload).to_be_bytes());
            framed.extend_from_slice(&payload);
            let _ = decode(&framed, Kind::Push);
        }
    }

    /// A rejected entry's verdict is the refusal's own encoding (pinned, kind by kind, by
    /// `domain::refusal`'s golden bytes) behind the verdict's tag.
    #[test]
    fn a_verdict_carries_the_refusal_as_its_bytes() {
        use crate::store::encode_value;
        let refusal = crate::domain::Refusal::PaymentVoid { id: "P2".into() };
        assert_eq!(encode_value(&Verdict::Accepted), [0]);
        let rejected = Verdict::Rejected {
            reason: refusal.clone(),
        };
        assert_eq!(
            encode_value(&rejected),
            [&[1u8][..], &encode_value(&refusal)].concat()
        );
        assert_eq!(encode_value(&rejected), [0x01, 0x0b, 0x02, b'P', b'2']);
    }

    #[test]
    fn errors_say_what_was_expected() {
        let bytes = encode(&sample_reply(vec![vec![1, 2, 3]]));
        let wrong = decode(&bytes, Kind::Push).unwrap_err().to_string();
        assert!(
            wrong.contains("is a reply") && wrong.contains("expected a push"),
            "{wrong}"
        );
        let short = decode(&bytes[..20], Kind::Reply).unwrap_err().to_string();
        assert!(short.contains("truncated"), "{short}");
        let cut = decode(&bytes[..bytes.len() - 1], Kind::Reply)
            .unwrap_err()
            .to_string();
        assert!(cut.contains("truncated"), "{cut}");
        assert_eq!(decode(b"hello", Kind::Reply), Err(CodecError::NotSync));
        let mut newer = bytes.clone();
        newer[8] = 9;
        assert!(
            decode(&newer, Kind::Reply)
                .unwrap_err()
                .to_string()
                .contains("format 9")
        );
    }
}
