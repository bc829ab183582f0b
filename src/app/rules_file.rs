//! The approval rules file (TOML), as the admin writes it:
//!
//! ```toml
//! [[rule]]
//! name = "large tow"
//! document = "tow"            # tow | lock | unlock | waiver | outbound | budget | contract
//! branch = "合肥"              # optional
//! min_days_overdue = 90       # optional
//! min_overdue_amount = "100000.00"   # optional
//! min_amount = "500.00"       # optional: the amount asked for (waiver, budget)
//! chain = ["role:approver", "role:finance", "user:wang"]
//! ```
//!
//! Parsing and validation here serve `rules check`, `rules set` and the rules screen alike.

use crate::domain::Money;
use crate::domain::approval::{Approver, DocumentType, Rule, RuleSet};
use serde::Deserialize;

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct File {
    #[serde(default)]
    rule: Vec<RawRule>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawRule {
    name: String,
    document: String,
    branch: Option<String>,
    min_days_overdue: Option<i64>,
    min_overdue_amount: Option<String>,
    min_amount: Option<String>,
    chain: Vec<String>,
}

/// Parses and checks a rules file. Every problem comes back as `FILE:LINE: key: reason`
/// (or `FILE: …` for problems of the whole set).
pub fn parse(file: &str, text: &str) -> Result<Vec<Rule>, Vec<String>> {
    let parsed: File = toml::from_str(text).map_err(|e| {
        let line = e.span().map_or(1, |span| {
            text[..span.start.min(text.len())].matches('\n').count() + 1
        });
        let message = e
            .message()
            .lines()
            .next()
            .unwrap_or("cannot be read")
            .to_string();
        vec![format!("{file}:{line}: {message}")]
    })?;
    let mut problems = Vec::new();
    let mut rules = Vec::new();
    // Lines of each [[rule]] header, to point at the rule at fault.
    let starts: Vec<usize> = text
        .lines()
        .enumerate()
        .filter(|(_, l)| l.trim_start().starts_with("[[rule]]"))
        .map(|(i, _)| i + 1)
        .collect();
    for (i, raw) in parsed.rule.into_iter().enumerate() {
        let line = starts.get(i).copied().unwrap_or(1);
        let mut bad =
            |key: &str, reason: String| problems.push(format!("{file}:{line}: {key}: {reason}"));
        let document = DocumentType::parse(&raw.document);
        if document.is_none() {
            bad(
                "document",
                format!(
                    "'{}' is not a document type; use tow, lock, unlock, waiver, outbound, budget or contract",
                    raw.document
                ),
            );
        }
        let mut money = |key: &str, value: &Option<String>| match value {
            None => None,
            Some(text) => match Money::parse(text) {
                Ok(m) => Some(m),
                Err(e) => {
                    bad(key, e.to_string());
                    None
                }
            },
        };
        let min_overdue_amount = money("min_overdue_amount", &raw.min_overdue_amount);
        let min_amount = money("min_amount", &raw.min_amount);
        let mut chain = Vec::new();
        for step in &raw.chain {
            match Approver::parse(step) {
                Ok(a) => chain.push(a),
                Err(e) => problems.push(format!("{file}:{line}: chain: {e}")),
            }
        }
        if raw.min_days_overdue.is_some_and(|n| n < 0) {
            problems.push(format!(
                "{file}:{line}: min_days_overdue: must be 0 or more"
            ));
        }
        if let Some(document) = document {
            rules.push(Rule {
                name: raw.name,
                document,
                branch: raw.branch.filter(|b| !b.trim().is_empty()),
                min_days_overdue: raw.min_days_overdue,
                min_overdue_amount: if raw.min_overdue_amount.is_some() {
                    min_overdue_amount.or(Some(Money::ZERO))
                } else {
                    None
                },
                min_amount: if raw.min_amount.is_some() {
                    min_amount.or(Some(Money::ZERO))
                } else {
                    None
                },
                chain,
            });
        }
    }
    if problems.is_empty() {
        let set = RuleSet {
            version: 0,
            rules: rules.clone(),
        };
        problems.extend(set.problems().into_iter().map(|p| format!("{file}: {p}")));
    }
    if problems.is_empty() {
        Ok(rules)
    } else {
        Err(problems)
    }
}

/// Writes rules back in the file format (what `rules show` prints and the screen edits).
pub fn render(rules: &[Rule]) -> String {
    let mut out = String::new();
    for r in rules {
        let quote = |s: &str| serde_json::to_string(s).expect("a string always serialises");
        out.push_str("[[rule]]\n");
        out.push_str(&format!("name = {}\n", quote(&r.name)));
        out.push_str(&format!("document = {}\n", quote(r.document.name())));
        if let Some(b) = &r.branch {
            out.push_str(&format!("branch = {}\n", quote(b)));
        }
        if let Some(n) = r.min_days_overdue {
            out.push_str(&format!("min_days_overdue = {n}\n"));
        }
        if let Some(m) = r.min_overdue_amount {
            out.push_str(&format!("min_overdue_amount = \"{m}\"\n"));
        }
        if let Some(m) = r.min_amount {
            out.push_str(&format!("min_amount = \"{m}\"\n"));
        }
        let chain: Vec<String> = r.chain.iter().map(|s| quote(&s.label())).collect();
        out.push_str(&format!("chain = [{}]\n\n", chain.join(", ")));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn defaults() -> String {
        DocumentType::ALL
            .iter()
            .map(|d| format!("[[rule]]\nname = \"default {0}\"\ndocument = \"{0}\"\nchain = [\"role:approver\"]\n\n", d.name()))
            .collect()
    }

    #[test]
    fn a_good_file_round_trips() {
        let text = format!(
            "[[rule]]\nname = \"large tow\"\ndocument = \"tow\"\nbranch = \"合肥\"\nmin_days_overdue = 90\nmin_overdue_amount = \"100000.00\"\nchain = [\"role:approver\", \"role:finance\", \"user:wang\"]\n\n{}",
            defaults()
        );
        let rules = parse("r.toml", &text).unwrap();
        assert_eq!(rules.len(), 8);
        assert_eq!(rules[0].chain.len(), 3);
        assert_eq!(
            rules[0].min_overdue_amount,
            Some(Money::parse("100000").unwrap())
        );
        assert_eq!(parse("r.toml", &render(&rules)).unwrap(), rules);
    }

    #[test]
    fn bad_files_name_file_line_and_key() {
        let bad_doc = format!(
            "{}[[rule]]\nname = \"x\"\ndocument = \"tractor\"\nchain = [\"role:approver\"]\n",
            defaults()
        );
        let e = parse("r.toml", &bad_doc).unwrap_err();
        assert!(e[0].starts_with("r.toml:36: document: 'tractor'"), "{e:?}");
        let bad_chain = format!(
            "[[rule]]\nname = \"x\"\ndocument = \"tow\"\nchain = [\"boss\"]\n{}",
            defaults()
        );
        let e = parse("r.toml", &bad_chain).unwrap_err();
        assert!(e[0].starts_with("r.toml:1: chain:"), "{e:?}");
        let unknown = "[[rule]]\nname = \"x\"\ndocument = \"tow\"\ncolour = 1\nchain = []\n";
        let e = parse("r.toml", unknown).unwrap_err();
        assert!(
            e[0].starts_with("r.toml:4:") && e[0].contains("colour"),
            "{e:?}"
        );
        let no_default = "[[rule]]\nname = \"x\"\ndocument = \"tow\"\nbranch = \"合肥\"\nchain = [\"role:approver\"]\n";
        let e = parse("r.toml", no_default).unwrap_err();
        assert!(e.iter().any(|p| p.contains("document type tow")), "{e:?}");
        assert!(
            e.iter().any(|p| p.contains("document type budget")),
            "{e:?}"
        );
        let money = format!(
            "[[rule]]\nname = \"x\"\ndocument = \"waiver\"\nmin_amount = \"1.234\"\nchain = [\"role:finance\"]\n{}",
            defaults()
        );
        let e = parse("r.toml", &money).unwrap_err();
        assert!(e[0].contains("min_amount"), "{e:?}");
    }

    proptest! {
        #[test]
        fn any_text_parses_or_fails_without_panic(text in "\\PC{0,200}") {
            if let Err(problems) = parse("f.toml", &text) {
                prop_assert!(problems.iter().all(|p| p.starts_with("f.toml")));
            }
        }
    }
}
