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
}
