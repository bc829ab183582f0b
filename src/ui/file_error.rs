//! The error of a file the user writes (the config, a theme): it names the file, and the line
//! and key at fault when they are known, so the user can go straight to it.

use std::fmt;
use std::ops::Range;
use std::path::Path;
use toml::de::DeTable;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FileError {
    /// What kind of file it is: `config`, `theme`.
    pub what: &'static str,
    pub file: String,
    pub line: Option<usize>,
    pub key: Option<String>,
    pub message: String,
}

impl fmt::Display for FileError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} {}", self.what, self.file)?;
        if let Some(line) = self.line {
            write!(f, ", line {line}")?;
        }
        if let Some(key) = &self.key {
            write!(f, ", key `{key}`")?;
        }
        write!(f, ": {}", self.message)
    }
}

impl std::error::Error for FileError {}

impl FileError {
    /// An error at byte `span` of the file's `text` (named by its line), under `key`.
    pub(crate) fn at(
        what: &'static str,
        file: &str,
        text: &str,
        span: Option<Range<usize>>,
        key: Option<String>,
        message: String,
    ) -> FileError {
        FileError {
            what,
            file: file.to_string(),
            line: span.map(|s| line_of(text, s.start)),
            key,
            message,
        }
    }

    /// The text of the file at `path`, or why it cannot be read.
    pub(crate) fn read(what: &'static str, path: &Path) -> Result<String, FileError> {
        std::fs::read_to_string(path).map_err(|e| FileError {
            what,
            file: path.display().to_string(),
            line: None,
            key: None,
            message: format!("cannot read it: {e}"),
        })
    }

    /// The file's `text` as a TOML table, or the parser's complaint on one line, at its line.
    pub(crate) fn parse_toml<'a>(
        what: &'static str,
        file: &str,
        text: &'a str,
    ) -> Result<toml::Spanned<DeTable<'a>>, FileError> {
        let table = DeTable::parse(text).map_err(|e| {
            let message = e.message().trim().to_string().replace('\n', " ");
            FileError::at(what, file, text, e.span(), None, message)
        })?;
        // An escape such as "\u001b" puts a control character in a string: refused, at its
        // line, since the names a file gives reach the screens.
        let mut strings = Vec::new();
        strings_of_table(table.get_ref(), &mut strings);
        for (span, value) in strings {
            if let Some(why) = crate::domain::text::problem(value, false) {
                return Err(FileError::at(what, file, text, Some(span), None, why));
            }
        }
        Ok(table)
    }
}

/// Every key and string value of a TOML table, with its span, depth first.
fn strings_of_table<'t>(table: &'t DeTable<'_>, out: &mut Vec<(Range<usize>, &'t str)>) {
    for (key, value) in table {
        out.push((key.span(), key.get_ref()));
        strings_of_value(value, out);
    }
}

fn strings_of_value<'t>(
    value: &'t toml::Spanned<toml::de::DeValue<'_>>,
    out: &mut Vec<(Range<usize>, &'t str)>,
) {
    use toml::de::DeValue;
    match value.get_ref() {
        DeValue::String(s) => out.push((value.span(), s)),
        DeValue::Array(items) => {
            for item in items {
                strings_of_value(item, out);
            }
        }
        DeValue::Table(table) => strings_of_table(table, out),
        _ => {}
    }
}

/// 1-based line of a byte offset.
pub(crate) fn line_of(text: &str, offset: usize) -> usize {
    text[..offset.min(text.len())].matches('\n').count() + 1
}
