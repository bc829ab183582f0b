//! Text that reaches other people's terminals: names, notes, reasons and comments are shown
//! in other users' screens and command output, so a control character in them is a way to
//! drive someone else's terminal (`ESC ]52` writes their clipboard, `ESC [2J` clears their
//! screen, OSC 8 hides a link). Two rules, both here:
//!
//! - `check`: every text field of every input refuses C0 controls (U+0000–U+001F), DEL
//!   (U+007F) and C1 controls (U+0080–U+009F), naming the field; a note may hold tabs.
//! - `neutralise`: every line of human text output shows any control character that got in
//!   anyway (an older book, a file's bytes in an error message) as `�`; newlines and tabs
//!   are kept. JSON output escapes them instead.

use std::borrow::Cow;

/// The character shown in place of a control character.
pub const SHOWN_FOR_CONTROL: char = '\u{FFFD}';

/// Whether `c` is a C0 or C1 control character, or DEL.
pub fn is_control(c: char) -> bool {
    matches!(c, '\u{0}'..='\u{1f}' | '\u{7f}'..='\u{9f}')
}

/// The first control character in `text`, tabs allowed when `tab_ok`.
pub fn first_control(text: &str, tab_ok: bool) -> Option<char> {
    text.chars()
        .find(|&c| is_control(c) && !(tab_ok && c == '\t'))
}

/// Refuses text holding a control character, naming `field` and the character:
/// `note: holds the control character U+001B; names, notes and reasons are plain text (a
/// note may hold tabs)`.
pub fn check(field: &str, text: &str, tab_ok: bool) -> Result<(), super::Refusal> {
    match first_control(text, tab_ok) {
        None => Ok(()),
        Some(c) => Err(super::Refusal::ControlCharacter {
            field: field.to_string(),
            code: c as u32,
            tab_ok,
        }),
    }
}

/// What is wrong with `text` (`check` without the field's name), if anything.
pub fn problem(text: &str, tab_ok: bool) -> Option<String> {
    first_control(text, tab_ok).map(|c| {
        format!(
            "holds the control character U+{:04X}; names, notes and reasons are plain text{}",
            c as u32,
            if tab_ok { " (tabs are fine)" } else { "" }
        )
    })
}

/// `text` with every control character but newline and tab shown as `SHOWN_FOR_CONTROL`.
pub fn neutralise(text: &str) -> Cow<'_, str> {
    if !text
        .chars()
        .any(|c| is_control(c) && c != '\n' && c != '\t')
    {
        return Cow::Borrowed(text);
    }
    Cow::Owned(
        text.chars()
            .map(|c| {
                if is_control(c) && c != '\n' && c != '\t' {
                    SHOWN_FOR_CONTROL
                } else {
                    c
                }
            })
            .collect(),
    )
}

/// `neutralise` for bytes on their way to a terminal: valid UTF-8 as `neutralise` does;
/// otherwise each ASCII control byte but newline and tab, and each C1 control's two-byte
/// encoding, becomes `SHOWN_FOR_CONTROL` (other bytes pass as they are).
pub fn neutralise_bytes(bytes: &[u8]) -> Cow<'_, [u8]> {
    // The common case, by bytes: no C0 but newline and tab, no DEL, no C1's lead byte.
    let suspect = |b: &u8| (*b < 0x20 && *b != b'\n' && *b != b'\t') || *b == 0x7f || *b == 0xc2;
    if !bytes.iter().any(suspect) {
        return Cow::Borrowed(bytes);
    }
    if let Ok(text) = std::str::from_utf8(bytes) {
        return match neutralise(text) {
            Cow::Borrowed(_) => Cow::Borrowed(bytes),
            Cow::Owned(s) => Cow::Owned(s.into_bytes()),
        };
    }
    let mut shown = [0u8; 4];
    let shown = SHOWN_FOR_CONTROL.encode_utf8(&mut shown).as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let b = bytes[i];
        if (b < 0x20 && b != b'\n' && b != b'\t') || b == 0x7f {
            out.extend_from_slice(shown);
        } else if b == 0xc2 && bytes.get(i + 1).is_some_and(|n| (0x80..=0x9f).contains(n)) {
            out.extend_from_slice(shown);
            i += 1;
        } else {
            out.push(b);
        }
        i += 1;
    }
    Cow::Owned(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn control_characters_are_refused_naming_the_field() {
        assert_eq!(check("name", "张三 Zhang", false), Ok(()));
        let e = check("name", "张三\u{1b}]52;c;ZXZpbA==\u{7}", false)
            .unwrap_err()
            .to_string();
        assert_eq!(e, format!("name: {}", problem("\u{1b}", false).unwrap()));
        assert!(
            e.starts_with("name: holds the control character U+001B"),
            "{e}"
        );
        assert!(
            check("reason", "a\u{9b}2J", false)
                .unwrap_err()
                .to_string()
                .contains("U+009B")
        );
        assert!(check("reason", "a\u{7f}", false).is_err());
        assert!(check("reason", "a\nb", false).is_err());
        assert!(check("reason", "a\tb", false).is_err());
        assert_eq!(check("note", "a\tb", true), Ok(()));
        assert!(check("note", "a\rb", true).is_err());
        // Not controls: the replacement character, CJK punctuation, NBSP (U+00A0).
        assert_eq!(check("name", "\u{fffd}，\u{a0}", false), Ok(()));
    }

    #[test]
    fn output_shows_control_characters_as_replacement() {
        assert!(matches!(neutralise("plain 中文\n\tnext"), Cow::Borrowed(_)));
        assert_eq!(
            neutralise("a\u{1b}[2Jb\u{9d}8;;x\r"),
            "a\u{fffd}[2Jb\u{fffd}8;;x\u{fffd}"
        );
        assert_eq!(&*neutralise_bytes(b"ok\n"), b"ok\n");
        // Not UTF-8 (a GB18030 file's bytes): controls still go, other bytes stay.
        let mut expected = b"\xd5\xc5".to_vec();
        expected.extend_from_slice("\u{fffd}\u{fffd}[2J\u{fffd}".as_bytes());
        assert_eq!(
            &*neutralise_bytes(b"\xd5\xc5\x00\x1b[2J\xc2\x9b"),
            expected.as_slice()
        );
    }

    proptest! {
        #[test]
        fn neutralised_text_has_no_control_but_newline_and_tab(text in any::<String>()) {
            let shown = neutralise(&text);
            prop_assert!(first_control(&shown.replace('\n', ""), true).is_none());
            // Same number of characters: each control is replaced, nothing else changes.
            prop_assert_eq!(shown.chars().count(), text.chars().count());
        }

        #[test]
        fn neutralised_bytes_hold_no_escape(bytes in proptest::collection::vec(any::<u8>(), 0..64)) {
            let shown = neutralise_bytes(&bytes);
            prop_assert!(!shown.contains(&0x1b));
            prop_assert!(!shown.iter().any(|&b| b < 0x20 && b != b'\n' && b != b'\t'));
            prop_assert!(!shown.windows(2).any(|w| w[0] == 0xc2 && (0x80..=0x9f).contains(&w[1])));
        }

        #[test]
        fn text_passes_check_exactly_when_it_has_no_control(text in any::<String>()) {
            let ok = check("f", &text, false).is_ok();
            prop_assert_eq!(ok, !text.chars().any(is_control));
        }
    }
}
