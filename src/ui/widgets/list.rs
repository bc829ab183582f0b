//! Cursor and scroll position of a list. `update` moves the cursor; the view picks the
//! scroll offset that keeps the cursor in sight (remembered between frames, so a one-row
//! move repaints two rows, not the whole list).

use super::super::keymap::Command;
use std::cell::Cell;

#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ListNav {
    pub selected: usize,
    /// First row shown; adjusted by the view, which alone knows the height.
    pub offset: Cell<usize>,
    /// Rows shown at the last draw: the size of a page.
    pub page: Cell<usize>,
}

impl ListNav {
    /// Moves the cursor for a navigation command over `len` rows. Returns whether it moved;
    /// `None` when the command is not a navigation command.
    pub fn apply(&mut self, command: Command, len: usize) -> Option<bool> {
        // Before the first frame the page size is unknown: assume a small screen's.
        let page = match self.page.get() {
            0 => 10,
            n => n,
        };
        let last = len.saturating_sub(1);
        let before = self.selected;
        self.selected = match command {
            Command::Down => (self.selected + 1).min(last),
            Command::Up => self.selected.saturating_sub(1),
            Command::Top => 0,
            Command::Bottom => last,
            Command::PageDown => (self.selected + page).min(last),
            Command::PageUp => self.selected.saturating_sub(page),
            Command::HalfDown => (self.selected + page.div_ceil(2)).min(last),
            Command::HalfUp => self.selected.saturating_sub(page.div_ceil(2)),
            _ => return None,
        };
        Some(before != self.selected)
    }

    pub fn clamp(&mut self, len: usize) {
        self.selected = self.selected.min(len.saturating_sub(1));
    }

    /// The first row to show in `height` rows so the cursor is visible; remembers it.
    pub fn window(&self, height: usize, len: usize) -> usize {
        self.page.set(height);
        let mut offset = self.offset.get().min(len.saturating_sub(height));
        if self.selected < offset {
            offset = self.selected;
        } else if height > 0 && self.selected >= offset + height {
            offset = self.selected + 1 - height;
        }
        self.offset.set(offset);
        offset
    }
}
