//! Incremental search keys: one lower-case string per row holding name, contract number,
//! phone, serial and the name's pinyin, full (`zhangsan`) and initials (`zs`). Built once
//! when rows load, so a keystroke is one substring scan per row.

use pinyin::ToPinyin;

/// Separates fields so a query never matches across two of them.
pub const SEP: char = '\u{1f}';

/// The pinyin of a name: full syllables run together, and their first letters. Characters
/// without pinyin (Latin letters, digits) are kept as they are in both.
pub fn pinyin_forms(name: &str) -> (String, String) {
    let mut full = String::new();
    let mut initials = String::new();
    for (c, p) in name.chars().zip(name.to_pinyin()) {
        match p {
            Some(p) => {
                full.push_str(p.plain());
                initials.push_str(p.first_letter());
            }
            None if c.is_alphanumeric() => {
                full.extend(c.to_lowercase());
                initials.extend(c.to_lowercase());
            }
            None => {}
        }
    }
    (full, initials)
}

pub fn key(name: &str, contract_no: &str, phone: &str, serial: &str) -> String {
    let (full, initials) = pinyin_forms(name);
    key_with_pinyin(name, contract_no, phone, serial, &full, &initials)
}

/// `key` when the name's pinyin forms are already at hand (they are the costly part).
pub fn key_with_pinyin(
    name: &str,
    contract_no: &str,
    phone: &str,
    serial: &str,
    full: &str,
    initials: &str,
) -> String {
    let mut key = String::with_capacity(
        name.len() + contract_no.len() + phone.len() + serial.len() + full.len() * 2 + 6,
    );
    for part in [name, contract_no, phone, serial, full, initials] {
        key.push_str(&part.to_lowercase());
        key.push(SEP);
    }
    key
}

/// The query as it is matched: lower case, surrounding blanks and inner spaces removed (so
/// `zhang san` finds `zhangsan`).
pub fn normalize_query(query: &str) -> String {
    query
        .chars()
        .filter(|c| !c.is_whitespace())
        .flat_map(char::to_lowercase)
        .collect()
}

pub fn matches(key: &str, normalized_query: &str) -> bool {
    normalized_query.is_empty() || key.contains(normalized_query)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pinyin_full_and_initials() {
        assert_eq!(
            pinyin_forms("张三"),
            ("zhangsan".to_string(), "zs".to_string())
        );
        assert_eq!(
            pinyin_forms("李四A"),
            ("lisia".to_string(), "lsa".to_string())
        );
        let k = key("王小明", "HT-001", "13800000000", "SY75-1");
        for q in ["王小", "wangxiaoming", "wxm", "ht-001", "1380000", "sy75"] {
            assert!(matches(&k, &normalize_query(q)), "{q}");
        }
        assert!(!matches(&k, "zs"));
        assert!(matches(&k, &normalize_query("Wang Xiao")));
    }
}
