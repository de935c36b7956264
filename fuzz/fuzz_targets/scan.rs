//! Scanning with arbitrary small rulesets (terms, patterns from a small regex grammar, views,
//! allow/unless/near, min_count, a global allow-list) over arbitrary texts, with both literal
//! backends.
//!
//! Checks: no panic; every finding's offsets are character offsets inside its row, `matched`
//! is the original text at those offsets and the context holds it; both literal backends
//! (aho-corasick and Hyperscan) report the same findings; scanning the rows together equals
//! scanning each alone.
#![no_main]

use std::sync::Arc;
use std::time::Duration;

use arbitrary::Arbitrary;
use conduct_scan_core::{Error, Finding, LiteralBackend, Ruleset, ScanOptions, Scanner};
use libfuzzer_sys::fuzz_target;
use toml::{Table, Value};

#[derive(Arbitrary, Debug)]
enum Regex {
    Literal(String),
    Class(Vec<char>),
    Dot,
    Space,
    Word,
    Digit,
    Concat(Vec<Regex>),
    Alt(Vec<Regex>),
    Repeat(Box<Regex>, u8, u8),
    Optional(Box<Regex>),
    Plus(Box<Regex>),
}

impl Regex {
    fn render(&self, out: &mut String, depth: usize) {
        if depth > 4 {
            out.push('x');
            return;
        }
        match self {
            Regex::Literal(s) => {
                for c in s.chars().take(8) {
                    if c.is_alphanumeric() || c == ' ' {
                        out.push(c);
                    } else if (c as u32) < 0x80 && c != '\0' {
                        out.push_str(&format!("\\x{:02x}", c as u32));
                    }
                }
            }
            Regex::Class(chars) => {
                out.push('[');
                let mut any = false;
                for c in chars.iter().take(6) {
                    if c.is_alphanumeric() {
                        out.push(*c);
                        any = true;
                    }
                }
                if !any {
                    out.push('a');
                }
                out.push(']');
            }
            Regex::Dot => out.push('.'),
            Regex::Space => out.push_str("\\s"),
            Regex::Word => out.push_str("\\w"),
            Regex::Digit => out.push_str("\\d"),
            Regex::Concat(parts) | Regex::Alt(parts) => {
                let sep = if matches!(self, Regex::Alt(_)) { "|" } else { "" };
                out.push_str("(?:");
                for (i, p) in parts.iter().take(4).enumerate() {
                    if i > 0 {
                        out.push_str(sep);
                    }
                    p.render(out, depth + 1);
                }
                out.push(')');
            }
            Regex::Repeat(inner, lo, hi) => {
                let (lo, hi) = (lo % 4, hi % 6);
                out.push_str("(?:");
                inner.render(out, depth + 1);
                out.push_str(&format!("){{{},{}}}", lo.min(hi), lo.max(hi)));
            }
            Regex::Optional(inner) | Regex::Plus(inner) => {
                out.push_str("(?:");
                inner.render(out, depth + 1);
                out.push_str(if matches!(self, Regex::Plus(_)) { ")+" } else { ")?" });
            }
        }
    }
}

#[derive(Arbitrary, Debug)]
struct Terms {
    terms: Vec<String>,
    patterns: Vec<Regex>,
}

#[derive(Arbitrary, Debug)]
struct FuzzRule {
    hits: Terms,
    views: u8,
    substring: bool,
    allow: Option<Terms>,
    unless: Option<Terms>,
    near: Option<(Terms, u8)>,
    min_count: u8,
}

#[derive(Arbitrary, Debug)]
struct Input {
    rules: Vec<FuzzRule>,
    allow: Vec<String>,
    texts: Vec<String>,
    context: u8,
}

fn strings(values: &[String]) -> Value {
    Value::Array(
        values
            .iter()
            .take(4)
            .map(|s| Value::String(s.chars().take(12).collect()))
            .collect(),
    )
}

fn terms_table(t: &Terms) -> Table {
    let mut table = Table::new();
    table.insert("terms".into(), strings(&t.terms));
    let patterns: Vec<String> = t
        .patterns
        .iter()
        .take(3)
        .map(|r| {
            let mut s = String::new();
            r.render(&mut s, 0);
            s
        })
        .collect();
    table.insert("patterns".into(), strings(&patterns));
    table
}

fn ruleset_toml(input: &Input) -> String {
    let mut root = Table::new();
    let mut meta = Table::new();
    meta.insert("id".into(), "fuzz".into());
    meta.insert("version".into(), "1".into());
    meta.insert("allow".into(), strings(&input.allow));
    root.insert("ruleset".into(), Value::Table(meta));
    let mut clause = Table::new();
    clause.insert("id".into(), "c".into());
    clause.insert("title".into(), "C".into());
    root.insert("clause".into(), Value::Array(vec![Value::Table(clause)]));
    let mut rules = Vec::new();
    for (i, r) in input.rules.iter().take(3).enumerate() {
        let mut rule = terms_table(&r.hits);
        rule.insert("id".into(), format!("r{i}").into());
        rule.insert("clause".into(), "c".into());
        let views: Vec<Value> = ["exact", "casefold", "fold", "skeleton"]
            .iter()
            .enumerate()
            .filter(|(bit, _)| r.views & (1 << bit) != 0)
            .map(|(_, v)| Value::String((*v).into()))
            .collect();
        if !views.is_empty() {
            rule.insert("views".into(), Value::Array(views));
        }
        if r.substring {
            rule.insert("match".into(), "substring".into());
        }
        if let Some(allow) = &r.allow {
            rule.insert("allow".into(), Value::Table(terms_table(allow)));
        }
        if let Some(unless) = &r.unless {
            rule.insert("unless".into(), Value::Table(terms_table(unless)));
        }
        if let Some((near, within)) = &r.near {
            let mut near = terms_table(near);
            near.insert("within".into(), Value::Integer(i64::from(*within % 8)));
            rule.insert("near".into(), Value::Table(near));
        }
        rule.insert("min_count".into(), Value::Integer(i64::from(r.min_count % 3 + 1)));
        rules.push(Value::Table(rule));
    }
    root.insert("rule".into(), Value::Array(rules));
    toml::to_string(&root).expect("a TOML table serialises")
}

fn scanner(ruleset: &Arc<Ruleset>, backend: LiteralBackend, context: usize) -> Option<Scanner> {
    let options = ScanOptions {
        threads: Some(1),
        literal_backend: backend,
        context_chars: context,
        cache_dir: None,
        // Some generated patterns take Hyperscan tens of seconds: refused, as users' would be.
        max_compile_time: Some(Duration::from_secs(2)),
        max_database_bytes: Some(64 << 20),
    };
    match Scanner::new(ruleset.clone(), options) {
        Ok(s) => Some(s),
        Err(Error::Ruleset(problems)) => {
            assert!(!problems.is_empty());
            None
        }
        Err(e) => panic!("compiling a loaded ruleset failed without naming a rule: {e}"),
    }
}

fn check(texts: &[String], findings: &[Finding], rules: usize, context: usize) {
    for f in findings {
        let text = &texts[f.row as usize];
        let chars: Vec<char> = text.chars().collect();
        assert!(
            f.start < f.end && (f.end as usize) <= chars.len() && (f.rule as usize) < rules,
            "{f:?} outside {text:?}"
        );
        let evidence: String = chars[f.start as usize..f.end as usize].iter().collect();
        assert_eq!(f.matched, evidence, "matched is not the text at its offsets");
        if context > 0 {
            let inner: String = f.context.chars().skip(f.context_start as usize).collect();
            assert!(inner.starts_with(&f.matched), "{f:?}: context does not hold the match");
        }
    }
}

fuzz_target!(|input: Input| {
    let text = ruleset_toml(&input);
    if std::env::var_os("FUZZ_PRINT").is_some() {
        eprintln!("{text}\ntexts: {:?}", input.texts);
    }
    let Ok(ruleset) = Ruleset::from_toml(&text, "fuzz.toml") else {
        return;
    };
    let ruleset = Arc::new(ruleset);
    let texts: Vec<String> = input.texts.iter().take(4).cloned().collect();
    let context = usize::from(input.context % 4);
    let Some(hyperscan) = scanner(&ruleset, LiteralBackend::Hyperscan, context) else {
        return;
    };
    let found = hyperscan
        .scan(&texts[..])
        .expect("scanning valid UTF-8 never fails")
        .findings;
    check(&texts, &found, ruleset.rules.len(), context);
    for (row, t) in texts.iter().enumerate() {
        let alone: Vec<Finding> = hyperscan
            .scan_text(t)
            .expect("scan_text")
            .into_iter()
            .map(|f| Finding { row: row as u32, ..f })
            .collect();
        let together: Vec<&Finding> = found.iter().filter(|f| f.row as usize == row).collect();
        assert_eq!(alone.iter().collect::<Vec<_>>(), together, "row {row} alone differs");
    }
    if let Some(aho) = scanner(&ruleset, LiteralBackend::AhoCorasick, context) {
        let other = aho.scan(&texts[..]).expect("scan").findings;
        assert_eq!(
            found, other,
            "the literal backends disagree on\n{text}\ntexts {texts:?}"
        );
    }
});
