//! Plain-text tables for people: columns aligned by display cells (CJK is two cells).

pub struct Table {
    headers: Vec<String>,
    right: Vec<bool>,
    rows: Vec<Vec<String>>,
}

impl Table {
    /// Columns whose header starts with `>` are right-aligned (numbers, money).
    pub fn new(headers: &[&str]) -> Table {
        Table {
            headers: headers
                .iter()
                .map(|h| h.trim_start_matches('>').to_string())
                .collect(),
            right: headers.iter().map(|h| h.starts_with('>')).collect(),
            rows: Vec::new(),
        }
    }

    pub fn row(&mut self, cells: Vec<String>) {
        debug_assert_eq!(cells.len(), self.headers.len());
        self.rows.push(cells);
    }

    pub fn render(&self) -> String {
        crate::export::align(&self.headers, &self.right, &self.rows)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn aligns_chinese_by_display_cells() {
        let mut t = Table::new(&["name", ">amount"]);
        t.row(vec!["张伟".into(), "1.00".into()]);
        t.row(vec!["li".into(), "100.00".into()]);
        assert_eq!(t.render(), "name  amount\n张伟    1.00\nli    100.00\n");
    }
}
