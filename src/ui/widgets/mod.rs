//! Small widgets shared by screens.

pub mod input;
pub mod list;
pub mod table;
