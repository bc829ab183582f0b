//! Width maths in terminal display cells: CJK characters take two cells, combining marks
//! none. Truncation ends with `…` and never splits a wide character.

use unicode_width::{UnicodeWidthChar, UnicodeWidthStr};

pub fn width(text: &str) -> usize {
    UnicodeWidthStr::width(text)
}

pub fn char_width(c: char) -> usize {
    UnicodeWidthChar::width(c).unwrap_or(0)
}

/// `text` cut to at most `max` cells; a cut text ends with `…` (one cell).
pub fn truncate(text: &str, max: usize) -> String {
    if width(text) <= max {
        return text.to_string();
    }
    if max == 0 {
        return String::new();
    }
    let mut out = String::new();
    let mut used = 0;
    for c in text.chars() {
        let w = char_width(c);
        if used + w > max - 1 {
            break;
        }
        out.push(c);
        used += w;
    }
    out.push('…');
    out
}

/// `text` truncated to `cells` and padded with spaces on the right to exactly `cells`.
pub fn pad_right(text: &str, cells: usize) -> String {
    let mut out = truncate(text, cells);
    let w = width(&out);
    out.extend(std::iter::repeat_n(' ', cells.saturating_sub(w)));
    out
}

/// `text` truncated to `cells` and padded with spaces on the left to exactly `cells`.
pub fn pad_left(text: &str, cells: usize) -> String {
    let cut = truncate(text, cells);
    let w = width(&cut);
    let mut out: String = std::iter::repeat_n(' ', cells.saturating_sub(w)).collect();
    out.push_str(&cut);
    out
}

/// `text` in lines of at most `cells` cells, whole: nothing is cut. A line breaks after the
/// last space that fits, or (Chinese has no spaces, and a long id has none) at the cell
/// where it is full; a wide character is never split.
pub fn wrap(text: &str, cells: usize) -> Vec<String> {
    let cells = cells.max(2);
    let mut lines = vec![String::new()];
    for c in text.chars() {
        let line = lines.last_mut().expect("one line");
        if width(line) + char_width(c) <= cells {
            line.push(c);
            continue;
        }
        let next = match line.rfind(' ') {
            Some(at) if c != ' ' && at > 0 => {
                let tail = line[at + 1..].to_string();
                line.truncate(at);
                tail
            }
            _ => String::new(),
        };
        lines.push(next);
        if c != ' ' {
            lines.last_mut().expect("one line").push(c);
        }
    }
    lines
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cjk_takes_two_cells_and_truncation_never_splits_it() {
        assert_eq!(width("张三"), 4);
        assert_eq!(truncate("张三丰机械", 5), "张三…");
        assert_eq!(truncate("张三丰机械", 6), "张三…");
        assert_eq!(truncate("张三丰机械", 7), "张三丰…");
        assert_eq!(truncate("abc", 3), "abc");
        assert_eq!(truncate("abcd", 3), "ab…");
        assert_eq!(pad_right("张三", 6), "张三  ");
        assert_eq!(pad_left("¥1.00", 7), "  ¥1.00");
    }

    #[test]
    fn wrapping_keeps_every_character() {
        let text = "contract HT-2025-001: principal 9000.00 outstanding, penalty 25.00 outstanding";
        let lines = wrap(text, 30);
        assert!(lines.iter().all(|l| width(l) <= 30), "{lines:?}");
        assert_eq!(lines.join(" "), text, "broken at spaces only");
        let zh = "合同 HT-2025-001：本金未还 9000.00、罚息未还 25.00；结清前请先登记收款或申请减免";
        let lines = wrap(zh, 21);
        assert!(lines.iter().all(|l| width(l) <= 21), "{lines:?}");
        assert_eq!(lines.concat().replace(' ', ""), zh.replace(' ', ""));
        assert_eq!(wrap("abcdef", 3), ["abc", "def"]);
        assert_eq!(wrap("", 10), [""]);
    }
}
