//! Bytes written to the terminal, counted through the (lean) crossterm backend: a slow SSH link
//! pays for each one. An idle keystroke writes nothing; a one-row move a few hundred bytes.

mod support;

use duedesk::ui::Session;
use duedesk::ui::backend::{DrawLean, LeanBackend};
use duedesk::ui::i18n::Lang;
use ratatui::layout::Rect;
use ratatui::{Terminal, TerminalOptions, Viewport};
use std::cell::RefCell;
use std::io::Write;
use std::rc::Rc;
use support::*;

/// A writer that keeps count of what went through it.
#[derive(Clone, Default)]
struct Counter(Rc<RefCell<usize>>, Rc<RefCell<Vec<u8>>>);

impl Write for Counter {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        *self.0.borrow_mut() += buf.len();
        if std::env::var_os("DUMP_BYTES").is_some() {
            self.1.borrow_mut().extend_from_slice(buf);
        }
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

impl Counter {
    fn take(&self) -> usize {
        let bytes = std::mem::take(&mut *self.1.borrow_mut());
        if !bytes.is_empty() {
            eprintln!("{:?}", String::from_utf8_lossy(&bytes));
        }
        std::mem::take(&mut *self.0.borrow_mut())
    }
}

fn terminal(counter: &Counter) -> Terminal<LeanBackend<Counter>> {
    Terminal::with_options(
        LeanBackend::new(counter.clone()),
        TerminalOptions {
            viewport: Viewport::Fixed(Rect::new(0, 0, 80, 24)),
        },
    )
    .unwrap()
}

/// Handles a key as the event loop does: redraw only when the update says so.
fn key_then_draw(s: &mut Session<'_>, t: &mut Terminal<LeanBackend<Counter>>, spec: &str) -> bool {
    let dirty = s.handle(&key_event(spec));
    if dirty {
        t.draw_lean(|f| s.draw(f)).unwrap();
    }
    dirty
}

#[test]
fn first_paint_one_row_move_and_idle_keys_cost_few_bytes() {
    let book = book();
    for lang in [Lang::En, Lang::Zh] {
        let mut s = session(&book, lang, "default");
        let counter = Counter::default();
        let mut t = terminal(&counter);
        t.draw_lean(|f| s.draw(f)).unwrap();
        let first = counter.take();
        assert!(first <= 4096, "{lang:?}: first paint {first} B");
        assert!(key_then_draw(&mut s, &mut t, "j"));
        let moved = counter.take();
        assert!(moved <= 300, "{lang:?}: one-row move {moved} B");
        // A key that means nothing here, and a move past the top after g: nothing written.
        assert!(!key_then_draw(&mut s, &mut t, "z"));
        key_then_draw(&mut s, &mut t, "g");
        counter.take();
        assert!(!key_then_draw(&mut s, &mut t, "k"));
        assert_eq!(counter.take(), 0, "{lang:?}: idle keys write nothing");
        eprintln!("{lang:?}: first paint {first} B, one-row move {moved} B");
    }
}
