//! Terminal input bytes → key events, for an SSH channel.
//!
//! The parser keeps its state across packets: an escape sequence or a UTF-8 character split
//! over two packets gives the same events as one packet would. A lone Esc is told from the
//! start of a sequence by time: `flush_stale` turns it into an Esc key once nothing has
//! followed it for `ESC_TIMEOUT`.
//!
//! Knows the keys the screens use: arrows, Home/End, PgUp/PgDn, Insert/Delete, F1–F12,
//! Enter, Esc, Tab/BackTab, Backspace, Ctrl-letters and any UTF-8 character (Chinese
//! included). Bracketed-paste markers are dropped; the pasted text arrives as characters.
//! Owns: byte parsing only. Must not touch: the UI state, the channel.

use ratatui::crossterm::event::{Event, KeyCode, KeyEvent, KeyModifiers};
use std::time::{Duration, Instant};

/// How long a lone Esc waits for the rest of a sequence before it counts as the Esc key.
pub const ESC_TIMEOUT: Duration = Duration::from_millis(50);

/// Longest escape sequence kept waiting for its end; longer garbage is dropped.
const MAX_SEQUENCE: usize = 32;

#[derive(Debug, Default)]
pub struct InputParser {
    pending: Vec<u8>,
    /// When the incomplete bytes in `pending` arrived.
    since: Option<Instant>,
}

enum Step {
    /// Consumed this many bytes, giving maybe an event.
    Done(usize, Option<Event>),
    /// The bytes so far may be the start of something longer.
    Incomplete,
}

fn key(code: KeyCode, modifiers: KeyModifiers) -> Option<Event> {
    Some(Event::Key(KeyEvent::new(code, modifiers)))
}

impl InputParser {
    pub fn new() -> InputParser {
        InputParser::default()
    }

    /// Feeds the bytes of one packet; returns the events completed by it.
    pub fn feed(&mut self, bytes: &[u8], now: Instant) -> Vec<Event> {
        self.pending.extend_from_slice(bytes);
        let mut events = Vec::new();
        self.drain(&mut events, false);
        self.since = if self.pending.is_empty() {
            None
        } else {
            self.since.or(Some(now))
        };
        events
    }

    /// Whether bytes wait for more input (then call `flush_stale` after `ESC_TIMEOUT`).
    pub fn is_waiting(&self) -> bool {
        !self.pending.is_empty()
    }

    /// Gives up waiting when the incomplete bytes are older than `ESC_TIMEOUT`: a lone Esc
    /// becomes the Esc key; the start of a sequence that never finished is read as Esc
    /// followed by its characters.
    pub fn flush_stale(&mut self, now: Instant) -> Vec<Event> {
        let mut events = Vec::new();
        if self
            .since
            .is_some_and(|t| now.duration_since(t) >= ESC_TIMEOUT)
        {
            self.drain(&mut events, true);
            self.since = None;
        }
        events
    }

    fn drain(&mut self, events: &mut Vec<Event>, force: bool) {
        let mut at = 0;
        while at < self.pending.len() {
            match parse_one(&self.pending[at..]) {
                Step::Done(n, event) => {
                    events.extend(event);
                    at += n;
                }
                Step::Incomplete if force => {
                    let rest = &self.pending[at..];
                    if rest[0] == 0x1b {
                        events.extend(key(KeyCode::Esc, KeyModifiers::NONE));
                    }
                    // A truncated UTF-8 character or the Esc just reported: skip one byte.
                    at += 1;
                }
                Step::Incomplete => break,
            }
        }
        self.pending.drain(..at);
    }
}

fn parse_one(b: &[u8]) -> Step {
    let none = KeyModifiers::NONE;
    match b[0] {
        0x1b => parse_escape(b),
        b'\r' | b'\n' => Step::Done(1, key(KeyCode::Enter, none)),
        b'\t' => Step::Done(1, key(KeyCode::Tab, none)),
        0x7f | 0x08 => Step::Done(1, key(KeyCode::Backspace, none)),
        0x00 => Step::Done(1, key(KeyCode::Char(' '), KeyModifiers::CONTROL)),
        c @ 0x01..=0x1a => Step::Done(
            1,
            key(KeyCode::Char((c + 0x60) as char), KeyModifiers::CONTROL),
        ),
        0x1c..=0x1f => Step::Done(1, None),
        c if c < 0x80 => Step::Done(1, key(KeyCode::Char(c as char), shift_of(c as char))),
        lead => {
            let len = match lead {
                0xc2..=0xdf => 2,
                0xe0..=0xef => 3,
                0xf0..=0xf4 => 4,
                _ => return Step::Done(1, None),
            };
            if b.len() < len {
                // Wait for the rest unless what came is already not a continuation.
                if b[1..].iter().all(|c| c & 0xc0 == 0x80) {
                    return Step::Incomplete;
                }
                return Step::Done(1, None);
            }
            match std::str::from_utf8(&b[..len]) {
                Ok(s) => {
                    let c = s.chars().next().expect("one character");
                    Step::Done(len, key(KeyCode::Char(c), none))
                }
                Err(_) => Step::Done(1, None),
            }
        }
    }
}

fn shift_of(c: char) -> KeyModifiers {
    if c.is_ascii_uppercase() {
        KeyModifiers::SHIFT
    } else {
        KeyModifiers::NONE
    }
}

fn parse_escape(b: &[u8]) -> Step {
    let none = KeyModifiers::NONE;
    let Some(&second) = b.get(1) else {
        return Step::Incomplete;
    };
    match second {
        b'[' => parse_csi(b),
        b'O' => {
            let Some(&third) = b.get(2) else {
                return Step::Incomplete;
            };
            let code = match third {
                b'A' => KeyCode::Up,
                b'B' => KeyCode::Down,
                b'C' => KeyCode::Right,
                b'D' => KeyCode::Left,
                b'H' => KeyCode::Home,
                b'F' => KeyCode::End,
                b'P'..=b'S' => KeyCode::F(third - b'P' + 1),
                _ => return Step::Done(3, None),
            };
            Step::Done(3, key(code, none))
        }
        // Esc Esc, or Esc before an ordinary key: the Esc key, then the rest on its own.
        _ => Step::Done(1, key(KeyCode::Esc, none)),
    }
}

/// `ESC [ params intermediates final`.
fn parse_csi(b: &[u8]) -> Step {
    let mut end = 2;
    loop {
        let Some(&c) = b.get(end) else {
            return if b.len() >= MAX_SEQUENCE {
                Step::Done(b.len(), None)
            } else {
                Step::Incomplete
            };
        };
        match c {
            0x20..=0x3f => end += 1,
            0x40..=0x7e => break,
            // Not a sequence after all: drop what was read, keep the byte.
            _ => return Step::Done(end, None),
        }
    }
    let n = end + 1;
    let params = std::str::from_utf8(&b[2..end]).unwrap_or("");
    let mut fields = params.split(';');
    let first: u16 = fields.next().and_then(|f| f.parse().ok()).unwrap_or(1);
    let modifiers = fields
        .next()
        .and_then(|f| f.parse::<u8>().ok())
        .map(modifiers_of)
        .unwrap_or(KeyModifiers::NONE);
    let code = match b[end] {
        b'A' => KeyCode::Up,
        b'B' => KeyCode::Down,
        b'C' => KeyCode::Right,
        b'D' => KeyCode::Left,
        b'H' => KeyCode::Home,
        b'F' => KeyCode::End,
        b'Z' => return Step::Done(n, key(KeyCode::BackTab, KeyModifiers::SHIFT)),
        b'~' => match first {
            1 | 7 => KeyCode::Home,
            2 => KeyCode::Insert,
            3 => KeyCode::Delete,
            4 | 8 => KeyCode::End,
            5 => KeyCode::PageUp,
            6 => KeyCode::PageDown,
            11..=15 => KeyCode::F((first - 10) as u8),
            17..=21 => KeyCode::F((first - 11) as u8),
            23 | 24 => KeyCode::F((first - 12) as u8),
            // 200~ / 201~ bracket a paste; anything else is unknown.
            _ => return Step::Done(n, None),
        },
        _ => return Step::Done(n, None),
    };
    Step::Done(n, key(code, modifiers))
}

/// xterm's modifier parameter: 1 + (shift 1 | alt 2 | ctrl 4).
fn modifiers_of(param: u8) -> KeyModifiers {
    let bits = param.saturating_sub(1);
    let mut m = KeyModifiers::NONE;
    if bits & 1 != 0 {
        m |= KeyModifiers::SHIFT;
    }
    if bits & 2 != 0 {
        m |= KeyModifiers::ALT;
    }
    if bits & 4 != 0 {
        m |= KeyModifiers::CONTROL;
    }
    m
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn codes(events: &[Event]) -> Vec<(KeyCode, KeyModifiers)> {
        events
            .iter()
            .map(|e| match e {
                Event::Key(k) => (k.code, k.modifiers),
                other => panic!("not a key: {other:?}"),
            })
            .collect()
    }

    fn all(bytes: &[u8]) -> Vec<(KeyCode, KeyModifiers)> {
        let mut p = InputParser::new();
        let now = Instant::now();
        let mut events = p.feed(bytes, now);
        events.extend(p.flush_stale(now + ESC_TIMEOUT));
        codes(&events)
    }

    const N: KeyModifiers = KeyModifiers::NONE;

    #[test]
    fn keys_the_screens_use() {
        assert_eq!(
            all(b"\x1b[A\x1b[B\x1bOC\x1b[D\x1b[5~\x1b[6~\x1b[H\x1b[F\x1b[1~\x1b[4~"),
            vec![
                (KeyCode::Up, N),
                (KeyCode::Down, N),
                (KeyCode::Right, N),
                (KeyCode::Left, N),
                (KeyCode::PageUp, N),
                (KeyCode::PageDown, N),
                (KeyCode::Home, N),
                (KeyCode::End, N),
                (KeyCode::Home, N),
                (KeyCode::End, N),
            ]
        );
        assert_eq!(
            all(b"\r\t\x1b[Z\x7f\x03jG"),
            vec![
                (KeyCode::Enter, N),
                (KeyCode::Tab, N),
                (KeyCode::BackTab, KeyModifiers::SHIFT),
                (KeyCode::Backspace, N),
                (KeyCode::Char('c'), KeyModifiers::CONTROL),
                (KeyCode::Char('j'), N),
                (KeyCode::Char('G'), KeyModifiers::SHIFT),
            ]
        );
        assert_eq!(
            all("王军".as_bytes()),
            vec![(KeyCode::Char('王'), N), (KeyCode::Char('军'), N)]
        );
        assert_eq!(
            all(b"\x1b[1;5C"),
            vec![(KeyCode::Right, KeyModifiers::CONTROL)]
        );
    }

    #[test]
    fn a_lone_esc_waits_for_its_timeout() {
        let mut p = InputParser::new();
        let t0 = Instant::now();
        assert!(p.feed(b"\x1b", t0).is_empty());
        assert!(p.is_waiting());
        assert!(p.flush_stale(t0 + ESC_TIMEOUT / 2).is_empty());
        assert_eq!(
            codes(&p.flush_stale(t0 + ESC_TIMEOUT)),
            vec![(KeyCode::Esc, N)]
        );
        assert!(!p.is_waiting());
    }

    #[test]
    fn a_sequence_split_over_packets_is_one_key() {
        let mut p = InputParser::new();
        let t0 = Instant::now();
        assert!(p.feed(b"\x1b", t0).is_empty());
        assert!(p.feed(b"[", t0).is_empty());
        assert!(p.feed(b"6", t0).is_empty());
        assert_eq!(codes(&p.feed(b"~", t0)), vec![(KeyCode::PageDown, N)]);
        let bytes = "军".as_bytes();
        assert!(p.feed(&bytes[..1], t0).is_empty());
        assert!(p.feed(&bytes[1..2], t0).is_empty());
        assert_eq!(
            codes(&p.feed(&bytes[2..], t0)),
            vec![(KeyCode::Char('军'), N)]
        );
    }

    #[test]
    fn esc_then_a_key_in_one_packet_is_two_keys() {
        assert_eq!(
            all(b"\x1bq"),
            vec![(KeyCode::Esc, N), (KeyCode::Char('q'), N)]
        );
        assert_eq!(all(b"\x1b\x1b"), vec![(KeyCode::Esc, N), (KeyCode::Esc, N)]);
    }

    fn token() -> impl Strategy<Value = Vec<u8>> {
        prop_oneof![
            Just(b"\x1b[A".to_vec()),
            Just(b"\x1b[B".to_vec()),
            Just(b"\x1bOD".to_vec()),
            Just(b"\x1b[5~".to_vec()),
            Just(b"\x1b[6~".to_vec()),
            Just(b"\x1b[1;5C".to_vec()),
            Just(b"\x1b[Z".to_vec()),
            Just(b"\x1b[200~".to_vec()),
            Just(b"\r".to_vec()),
            Just(b"\t".to_vec()),
            Just(b"\x7f".to_vec()),
            Just(b"\x04".to_vec()),
            "[a-zA-Z0-9 /]".prop_map(|s| s.into_bytes()),
            "[\u{4e00}-\u{9fa5}]".prop_map(|s| s.into_bytes()),
            "[é€😀]".prop_map(|s| s.into_bytes()),
        ]
    }

    proptest! {
        /// Any split of a byte stream into packets gives the events of the whole stream.
        #[test]
        fn any_split_gives_the_same_events(
            tokens in proptest::collection::vec(token(), 0..40),
            cuts in proptest::collection::vec(any::<prop::sample::Index>(), 0..12),
        ) {
            let stream: Vec<u8> = tokens.concat();
            let whole = all(&stream);
            let mut points: Vec<usize> = cuts.iter().map(|i| i.index(stream.len() + 1)).collect();
            points.sort();
            points.dedup();
            let mut p = InputParser::new();
            let now = Instant::now();
            let mut events = Vec::new();
            let mut start = 0;
            for point in points.into_iter().chain([stream.len()]) {
                events.extend(p.feed(&stream[start..point], now));
                start = point;
            }
            events.extend(p.flush_stale(now + ESC_TIMEOUT));
            prop_assert_eq!(codes(&events), whole);
            // One event per token, except the dropped paste marker.
            let expected = tokens.iter().filter(|t| t.as_slice() != b"\x1b[200~").count();
            prop_assert_eq!(codes(&events).len(), expected);
        }
    }
}
