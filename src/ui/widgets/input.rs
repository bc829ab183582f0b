//! A single-line text input whose cursor is placed in display cells, so typing Chinese
//! (two cells a character) keeps the cursor where the next character will appear.

use super::super::text::{char_width, width};
use ratatui::crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct LineInput {
    text: String,
    /// Cursor position in characters (not bytes, not cells).
    cursor: usize,
}

impl LineInput {
    pub fn new(text: &str) -> LineInput {
        LineInput {
            text: text.to_string(),
            cursor: text.chars().count(),
        }
    }

    pub fn text(&self) -> &str {
        &self.text
    }

    pub fn is_empty(&self) -> bool {
        self.text.is_empty()
    }

    pub fn clear(&mut self) {
        self.text.clear();
        self.cursor = 0;
    }

    fn byte_at(&self, chars: usize) -> usize {
        self.text
            .char_indices()
            .nth(chars)
            .map_or(self.text.len(), |(i, _)| i)
    }

    pub fn insert(&mut self, c: char) {
        let at = self.byte_at(self.cursor);
        self.text.insert(at, c);
        self.cursor += 1;
    }

    /// Applies an editing key; returns whether the text or cursor changed. Keys it does not
    /// know are left to the caller.
    pub fn handle(&mut self, key: &KeyEvent) -> Option<bool> {
        let ctrl = key.modifiers.contains(KeyModifiers::CONTROL);
        let len = self.text.chars().count();
        let before = (self.text.len(), self.cursor);
        match key.code {
            KeyCode::Char('a') if ctrl => self.cursor = 0,
            KeyCode::Char('e') if ctrl => self.cursor = len,
            KeyCode::Char('u') if ctrl => {
                let at = self.byte_at(self.cursor);
                self.text.replace_range(..at, "");
                self.cursor = 0;
            }
            KeyCode::Char('k') if ctrl => {
                let at = self.byte_at(self.cursor);
                self.text.truncate(at);
            }
            KeyCode::Char('w') if ctrl => {
                let chars: Vec<char> = self.text.chars().collect();
                let mut start = self.cursor;
                while start > 0 && chars[start - 1] == ' ' {
                    start -= 1;
                }
                while start > 0 && chars[start - 1] != ' ' {
                    start -= 1;
                }
                let (a, b) = (self.byte_at(start), self.byte_at(self.cursor));
                self.text.replace_range(a..b, "");
                self.cursor = start;
            }
            // Ctrl-H is Backspace on many terminals (a local tty reads 0x08 as Ctrl-H).
            KeyCode::Char('h') if ctrl => {
                return self.handle(&KeyEvent::new(KeyCode::Backspace, KeyModifiers::NONE));
            }
            KeyCode::Char(_) if ctrl || key.modifiers.contains(KeyModifiers::ALT) => return None,
            KeyCode::Char(c) => self.insert(c),
            KeyCode::Backspace if self.cursor > 0 => {
                let at = self.byte_at(self.cursor - 1);
                self.text.remove(at);
                self.cursor -= 1;
            }
            KeyCode::Delete if self.cursor < len => {
                let at = self.byte_at(self.cursor);
                self.text.remove(at);
            }
            KeyCode::Left => self.cursor = self.cursor.saturating_sub(1),
            KeyCode::Right => self.cursor = (self.cursor + 1).min(len),
            KeyCode::Home => self.cursor = 0,
            KeyCode::End => self.cursor = len,
            KeyCode::Backspace | KeyCode::Delete => {}
            _ => return None,
        }
        Some(before != (self.text.len(), self.cursor))
    }

    /// What to show in a field `cells` wide, and the cursor's cell offset in it. When the
    /// text is wider than the field, the part around the cursor is shown.
    pub fn visible(&self, cells: usize) -> (String, usize) {
        if cells == 0 {
            return (String::new(), 0);
        }
        let chars: Vec<char> = self.text.chars().collect();
        let cursor_cells: usize = chars[..self.cursor].iter().map(|c| char_width(*c)).sum();
        // Leave one cell for the cursor after the last character.
        let mut start = 0;
        let mut skipped = 0;
        while cursor_cells - skipped > cells - 1 && start < chars.len() {
            skipped += char_width(chars[start]);
            start += 1;
        }
        let mut out = String::new();
        let mut used = 0;
        for c in &chars[start..] {
            let w = char_width(*c);
            if used + w > cells {
                break;
            }
            out.push(*c);
            used += w;
        }
        debug_assert!(width(&out) <= cells);
        (out, cursor_cells - skipped)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key(code: KeyCode) -> KeyEvent {
        KeyEvent::new(code, KeyModifiers::NONE)
    }

    #[test]
    fn the_cursor_counts_cells_for_chinese() {
        let mut input = LineInput::default();
        for c in "张三ab".chars() {
            input.handle(&key(KeyCode::Char(c)));
        }
        assert_eq!(input.visible(20), ("张三ab".to_string(), 6));
        input.handle(&key(KeyCode::Left));
        input.handle(&key(KeyCode::Left));
        assert_eq!(input.visible(20).1, 4);
        input.handle(&key(KeyCode::Backspace));
        assert_eq!(input.text(), "张ab");
        // Ctrl-H deletes as Backspace does.
        input.handle(&KeyEvent::new(KeyCode::Char('h'), KeyModifiers::CONTROL));
        assert_eq!(input.text(), "ab");
        // A narrow field scrolls so the cursor stays visible.
        let long = LineInput::new("一二三四五六");
        let (shown, at) = long.visible(5);
        assert!(width(&shown) <= 5);
        assert!(at <= 4, "{at}");
    }
}
