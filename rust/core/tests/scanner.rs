//! Table-driven scanner tests, every case run with both literal backends (aho-corasick and
//! Hyperscan) and expected to give the same findings.

use std::sync::Arc;

use conduct_scan_core::lang::Lang;
use conduct_scan_core::verify::Outcome;
use conduct_scan_core::{Error, LiteralBackend, Ruleset, ScanOptions, Scanner, View};

const RULES: &str = r#"
[ruleset]
id = "test"
version = "1"

[[clause]]
id = "c"
title = "Clause"

[[rule]]
id = "casefold"
clause = "c"
terms = ["đồ ngu", "ngu"]

[[rule]]
id = "exact"
clause = "c"
terms = ["NGU"]
views = ["exact"]

[[rule]]
id = "fold"
clause = "c"
terms = ["lồn"]
views = ["casefold", "fold"]
allow = ["lon bia", "lon nuoc"]

[[rule]]
id = "skeleton"
clause = "c"
terms = ["địt"]
views = ["skeleton"]

[[rule]]
id = "substring"
clause = "c"
terms = ["fuck"]
match = "substring"

[[rule]]
id = "pattern"
clause = "c"
patterns = ["đ[iị]t\\s+m[eẹ]"]
views = ["fold"]

[[rule]]
id = "unless"
clause = "c"
terms = ["giết"]
unless = ["giết thời gian"]

[[rule]]
id = "near"
clause = "c"
terms = ["chó"]
near = { terms = ["mày", "thằng"], within = 2 }

[[rule]]
id = "twice"
clause = "c"
terms = ["spam", "junk"]
min_count = 2

[[rule]]
id = "compound"
clause = "c"
terms = ["lũ", "lụt"]

[[compound]]
term = "LŨ"
compounds = ["mùa lũ", "lũ lụt"]

[[rule]]
id = "english"
clause = "c"
lang = "en"
terms = ["dick"]

[[rule]]
id = "english-any"
clause = "c"
lang = "en"
lang_scope = "any"
terms = ["ketamine"]
"#;

/// `(text, [(rule, view, matched)])`: the findings expected, in order.
type Case = (&'static str, &'static [(&'static str, &'static str, &'static str)]);
const TABLE: &[Case] = &[
    ("xin chào", &[]),
    ("", &[]),
    (
        "Đồ NGU",
        &[("casefold", "casefold", "Đồ NGU"), ("exact", "exact", "NGU")],
    ),
    ("ngủ ngon", &[]),
    ("thằng ngu!", &[("casefold", "casefold", "ngu")]),
    ("ngungơ", &[]),
    ("Lồn", &[("fold", "casefold", "Lồn")]),
    ("LON", &[("fold", "fold", "LON")]),
    ("mua lon bia", &[]),
    ("Đ.Ị.T", &[("skeleton", "skeleton", "Đ.Ị.T")]),
    (
        "đ\u{200B}ị\u{200B}t",
        &[("skeleton", "skeleton", "đ\u{200B}ị\u{200B}t")],
    ),
    ("motherfucker", &[("substring", "casefold", "fuck")]),
    (
        "dit me may",
        &[("skeleton", "skeleton", "dit"), ("pattern", "fold", "dit me")],
    ),
    ("giết nó", &[("unless", "casefold", "giết")]),
    ("giết thời gian, giết nó", &[]),
    ("con chó", &[]),
    ("mày là con chó", &[("near", "casefold", "chó")]),
    ("spam", &[]),
    // min_count counts distinct terms: the same one twice is one.
    ("spam spam", &[]),
    (
        "spam junk spam",
        &[
            ("twice", "casefold", "spam"),
            ("twice", "casefold", "junk"),
            ("twice", "casefold", "spam"),
        ],
    ),
    // A term inside one of its innocent compounds is not a finding; another term of the same
    // rule inside that compound still is.
    ("lũ chúng mày", &[("compound", "casefold", "lũ")]),
    ("mùa lũ năm nay", &[]),
    ("Mùa Lũ", &[]),
    ("lũ lụt", &[("compound", "casefold", "lụt")]),
    // A rule tagged `en` is silent on a Vietnamese post, unless its scope is `any`.
    (
        "Moby Dick is a novel about the whale",
        &[("english", "casefold", "Dick")],
    ),
    ("Ông Dick là người của nhà nước Việt Nam", &[]),
    ("dick", &[("english", "casefold", "dick")]),
    ("bán ketamine có hàng nhé", &[("english-any", "casefold", "ketamine")]),
    // Decomposed input: offsets point at the original (NFD) characters.
    (
        "đo\u{0302}\u{0300} ngu",
        &[("casefold", "casefold", "đo\u{0302}\u{0300} ngu")],
    ),
];

fn scanner(backend: LiteralBackend) -> Scanner {
    let ruleset = Arc::new(Ruleset::from_toml(RULES, "test.toml").unwrap());
    Scanner::new(
        ruleset,
        ScanOptions {
            threads: Some(2),
            literal_backend: backend,
            ..Default::default()
        },
    )
    .unwrap()
}

fn run_table(backend: LiteralBackend) {
    let scanner = scanner(backend);
    for (text, expected) in TABLE {
        let findings = scanner.scan_text(text).unwrap();
        let got: Vec<(String, String, String)> = findings
            .iter()
            .map(|f| {
                let rule = &scanner.ruleset().rules[f.rule as usize];
                let chars: Vec<char> = text.chars().collect();
                let evidence: String = chars[f.start as usize..f.end as usize].iter().collect();
                assert_eq!(evidence, f.matched, "offsets of {} in {text:?}", rule.id);
                (rule.id.clone(), f.view.name().to_owned(), f.matched.clone())
            })
            .collect();
        let expected: Vec<(String, String, String)> = expected
            .iter()
            .map(|(r, v, m)| (r.to_string(), v.to_string(), m.to_string()))
            .collect();
        assert_eq!(got, expected, "{text:?} with {backend:?}");
    }
}

#[test]
fn table_with_aho_corasick() {
    run_table(LiteralBackend::AhoCorasick);
}

#[test]
fn table_with_hyperscan_literals() {
    run_table(LiteralBackend::Hyperscan);
}

#[test]
fn parallel_scan_equals_one_by_one() {
    let scanner = scanner(LiteralBackend::AhoCorasick);
    let texts: Vec<Option<String>> = (0..5000)
        .map(|i| match i % 7 {
            0 => None,
            _ => Some(TABLE[i % TABLE.len()].0.to_owned()),
        })
        .collect();
    let output = scanner.scan(texts.as_slice()).unwrap();
    let mut expected = Vec::new();
    for (row, text) in texts.iter().enumerate() {
        if let Some(text) = text {
            for mut f in scanner.scan_text(text).unwrap() {
                f.row = row as u32;
                expected.push(f);
            }
        }
    }
    assert_eq!(output.findings, expected);
    assert_eq!(output.null_rows, texts.iter().filter(|t| t.is_none()).count());
}

#[test]
fn invalid_utf8_is_replaced_and_counted() {
    struct Bytes(Vec<Vec<u8>>);
    impl conduct_scan_core::TextSource for Bytes {
        fn len(&self) -> usize {
            self.0.len()
        }
        fn bytes(&self, i: usize) -> Option<&[u8]> {
            Some(&self.0[i])
        }
    }
    let scanner = scanner(LiteralBackend::AhoCorasick);
    let texts = Bytes(vec![b"ngu \xff\xfe ngu".to_vec(), b"ok".to_vec()]);
    let output = scanner.scan(&texts).unwrap();
    assert_eq!(output.invalid_utf8_rows, 1);
    assert_eq!(output.findings.len(), 2);
    assert_eq!(
        output.findings[1].start, 7,
        "offsets count the two replacement characters"
    );
}

#[test]
fn context_surrounds_the_match() {
    let ruleset = Arc::new(Ruleset::from_toml(RULES, "test.toml").unwrap());
    let options = ScanOptions {
        threads: Some(1),
        context_chars: 4,
        ..Default::default()
    };
    let scanner = Scanner::new(ruleset, options).unwrap();
    let findings = scanner.scan_text("ôi trời đồ ngu quá đi").unwrap();
    let f = &findings[0];
    assert_eq!((f.context.as_str(), f.context_start), ("rời đồ ngu quá", 4));
    let findings = scanner.scan_text("ngu").unwrap();
    assert_eq!((findings[0].context.as_str(), findings[0].context_start), ("ngu", 0));
}

#[test]
fn compiled_databases_are_cached() {
    let dir = std::env::temp_dir().join(format!("conduct-scan-cache-test-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    let options = || ScanOptions {
        threads: Some(1),
        cache_dir: Some(dir.clone()),
        ..Default::default()
    };
    let ruleset = Arc::new(Ruleset::from_toml(RULES, "test.toml").unwrap());
    let first = Scanner::new(ruleset.clone(), options()).unwrap();
    let entries = std::fs::read_dir(&dir).unwrap().count();
    assert!(entries >= 1, "nothing cached");
    let second = Scanner::new(ruleset.clone(), options()).unwrap();
    for (text, _) in TABLE {
        assert_eq!(
            first.scan_text(text).unwrap(),
            second.scan_text(text).unwrap(),
            "{text:?}"
        );
    }
    // A corrupt entry is ignored (and rewritten), never trusted.
    for entry in std::fs::read_dir(&dir).unwrap() {
        std::fs::write(entry.unwrap().path(), b"garbage").unwrap();
    }
    let third = Scanner::new(ruleset, options()).unwrap();
    assert_eq!(third.scan_text("dit me").unwrap().len(), 2);
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn explain_names_the_veto() {
    let scanner = scanner(LiteralBackend::AhoCorasick);
    let explained = scanner.explain("giết thời gian").unwrap();
    assert!(
        explained.iter().any(|e| e.because.as_deref() == Some("giết thời gian")),
        "{explained:?}"
    );
}

#[test]
fn explain_names_the_compound_and_the_language() {
    let scanner = scanner(LiteralBackend::Hyperscan);
    let explained = scanner.explain("mùa lũ năm nay").unwrap();
    assert!(
        explained
            .iter()
            .any(|e| matches!(e.outcome, Outcome::InCompound { .. }) && e.because.as_deref() == Some("mùa lũ")),
        "{explained:?}"
    );
    let explained = scanner.explain("Ông Dick là người của nhà nước Việt Nam").unwrap();
    assert!(
        explained
            .iter()
            .any(|e| e.outcome == Outcome::OtherLanguage { post: Lang::Vi }),
        "{explained:?}"
    );
}

#[test]
fn too_large_pattern_sets_are_a_clear_error() {
    let text = format!(
        "{}\n[[rule]]\nid = \"big\"\nclause = \"c\"\npatterns = [\"(a|b)[^x]{{2000}}c[^y]{{2000}}d\"]\n",
        &RULES[..RULES.find("[[rule]]").unwrap()]
    );
    let ruleset = Arc::new(Ruleset::from_toml(&text, "big.toml").unwrap());
    match Scanner::new(ruleset, ScanOptions::default()) {
        Err(Error::Ruleset(problems)) => {
            let message = problems[0].to_string();
            assert!(
                message.contains("rule big") && message.contains("Hyperscan"),
                "{message}"
            );
        }
        Err(e) => panic!("unexpected error {e}"),
        Ok(_) => panic!("expected Hyperscan to reject the pattern set"),
    }
}

/// Texts that take every path of the batched scan: text scanned as it is (ASCII, Vietnamese in
/// any case), text whose views must be built (decomposed, invisible, fullwidth, ß, emoji,
/// Kelvin sign), evasions for the skeleton view, matches at the edges of texts laid end to end.
const ASSORTED: &[&str] = &[
    "ĐỒ NGU như con chó",
    "đồ ngu",
    "Đo\u{0302}\u{0300} NGU thật",
    "đ\u{200B}ị\u{200B}t mẹ mày",
    "ＦＵＣＫ you",
    "Straße fuck \u{212A}ill",
    "❤\u{FE0F} đụ má 😀 vãi lồn",
    "f.u.c.k this sh1t, NGUUUU",
    "fuсk (Cyrillic es)",
    "ngu",
    "ngungu",
    "Mày là đ.ồ n.g.u thật",
    "call 09012345678 now to claim £1000 cash prize",
    "txt WIN to 80086 for free entry",
    "spam spam spam",
    "",
    "lừa đảo qua mạng, đừng chuyển tiền cho người lạ",
    "chết mẹ mày đi",
    "ĐỊT MẸ",
];

fn bundled(backend: LiteralBackend) -> Scanner {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../../rulesets/vn-social-code-2021");
    let ruleset = Arc::new(Ruleset::load(path.as_ref()).unwrap());
    Scanner::new(
        ruleset,
        ScanOptions {
            threads: Some(2),
            literal_backend: backend,
            ..Default::default()
        },
    )
    .unwrap()
}

/// The batched scan (many texts per Hyperscan call, texts scanned as they are) finds exactly
/// what scanning each text alone with its views finds, and what the aho-corasick backend finds.
#[test]
fn batched_scan_equals_one_by_one_and_aho_corasick() {
    for (scanner, reference, texts) in [
        (
            scanner(LiteralBackend::Hyperscan),
            scanner(LiteralBackend::AhoCorasick),
            TABLE.iter().map(|(t, _)| *t).collect::<Vec<_>>(),
        ),
        (
            bundled(LiteralBackend::Hyperscan),
            bundled(LiteralBackend::AhoCorasick),
            ASSORTED.to_vec(),
        ),
    ] {
        let texts: Vec<Option<String>> = (0..600)
            .map(|i| match i % 11 {
                0 => None,
                // Texts end to end: a match may not reach across from one into the next.
                5 => Some(texts[i % texts.len()].chars().rev().collect()),
                _ => Some(texts[i % texts.len()].to_owned()),
            })
            .collect();
        let output = scanner.scan(texts.as_slice()).unwrap();
        let mut expected = Vec::new();
        for (row, text) in texts.iter().enumerate() {
            if let Some(text) = text {
                for mut f in scanner.scan_text(text).unwrap() {
                    f.row = row as u32;
                    expected.push(f);
                }
            }
        }
        assert!(!expected.is_empty());
        assert_eq!(output.findings, expected);
        assert_eq!(reference.scan(texts.as_slice()).unwrap().findings, expected);
    }
}

/// Hyperscan's caseless matching agrees with the casefold view on every character that the
/// scanner scans as it is: the casefold form of each, compiled caseless, matches it.
#[test]
fn caseless_databases_match_every_case_variant() {
    use conduct_scan_core::matching::{HsPattern, HsScratch, HyperscanMatcher, Matcher};
    use conduct_scan_core::normalise::{case_variant, normalise};
    let chars: Vec<char> = (0x80..0x10000u32)
        .filter_map(char::from_u32)
        .filter(|&c| case_variant(c))
        .collect();
    assert!(chars.contains(&'Ồ') && chars.contains(&'đ'));
    let folded: Vec<String> = chars
        .iter()
        .map(|c| normalise(conduct_scan_core::View::Casefold, &c.to_string()))
        .collect();
    let patterns: Vec<HsPattern> = folded.iter().map(|f| HsPattern::literal_caseless(f)).collect();
    let matcher = HyperscanMatcher::compile(&patterns).unwrap();
    let mut scratch = HsScratch::default();
    for (i, c) in chars.iter().enumerate() {
        let mut out = Vec::new();
        matcher.find_all(&c.to_string(), &mut scratch, &mut out).unwrap();
        assert!(
            out.iter().any(|m| m.pattern as usize == i),
            "{c:?} (U+{:04X}) is not matched by its fold {:?} compiled caseless",
            *c as u32,
            folded[i]
        );
    }
}

/// A text longer than a window is scanned in windows; cut at line breaks, it gives the findings
/// of the whole text scanned at once.
#[test]
fn long_texts_scanned_in_windows_keep_their_findings() {
    let scanner = bundled(LiteralBackend::Hyperscan);
    let mut text = String::new();
    let mut i = 0;
    while text.len() < 2_500_000 {
        text.push_str(ASSORTED[i % ASSORTED.len()]);
        text.push(if i % 3 == 0 { '\n' } else { ' ' });
        i += 1;
    }
    let whole = scanner.scan_text(&text).unwrap();
    let windowed = scanner.scan([text.as_str()].as_slice()).unwrap().findings;
    assert!(whole.len() > 500);
    assert_eq!(windowed.len(), whole.len());
    assert!(windowed == whole, "findings differ");
}

/// The batched scan matches context terms only in the posts that need them: allow, unless,
/// near and compound terms in posts with a hit, informal-register cues only in posts with a
/// hit of a rule that has them and that read as edited prose. In batches that mix every kind
/// of post (prose with and without cues, chat, evasions for the skeleton view), it finds
/// exactly what scanning each post alone with all its databases finds, and what the
/// aho-corasick backend finds.
#[test]
fn context_and_informal_terms_only_where_they_count() {
    const RULES: &str = r#"
[ruleset]
id = "context-parts"
version = "1"

[[clause]]
id = "c"
title = "Clause"

[[rule]]
id = "informal-insult"
clause = "c"
terms = ["ngu", "đồ điên"]
views = ["casefold", "fold"]
informal = { terms = ["à", "ạ", "mày"], patterns = ['!+'] }
allow = ["ngu ngơ"]

[[rule]]
id = "skeleton-swear"
clause = "c"
terms = ["địt", "fuck", "book"]
patterns = ['sh[i1]t+']
views = ["fold", "skeleton"]
allow = ["dit ca"]
unless = ["khong dit"]
informal = { terms = ["lol"] }

[[rule]]
id = "near-only"
clause = "c"
terms = ["lon", "cho"]
views = ["skeleton"]
near = { terms = ["may"], within = 3 }
"#;
    let ruleset = Arc::new(Ruleset::from_toml(RULES, "context-parts.toml").unwrap());
    let make = |backend| {
        Scanner::new(
            ruleset.clone(),
            ScanOptions {
                threads: Some(1),
                literal_backend: backend,
                ..Default::default()
            },
        )
        .unwrap()
    };
    let (scanner, reference) = (make(LiteralBackend::Hyperscan), make(LiteralBackend::AhoCorasick));
    let texts = [
        // Edited prose (ten words or more, capitalised, full stop): fires only with a cue.
        "Ông ấy nói rằng kế hoạch này thật ngu và không thể thực hiện được.",
        "Ông ấy nói rằng kế hoạch này thật ngu à và không thể thực hiện được.",
        "Ông ấy nói rằng kế hoạch này thật ngu và không thể thực hiện được!",
        "Mày nói rằng kế hoạch này thật ngu và không thể thực hiện được.",
        "Họ bảo rằng anh ta là đồ điên vì đã bỏ việc ở công ty lớn.",
        "Họ bảo rằng anh ta là đồ điên vì đã bỏ việc ở công ty lớn ạ.",
        "Cô bé trông ngu ngơ và hiền lành khi đứng giữa sân trường đông người.",
        "The reviewer said that this shit was not what the book promised us.",
        "The reviewer said that this shit was not what the book promised lol.",
        // Chat: fires with or without a cue.
        "ngu thế",
        "đồ điên à",
        "mày ngu",
        "m.à.y n.g.u thế",
        "địt mẹ",
        "đ!t mẹ",
        "địt cả",
        "không địt",
        "k.h.o.n.g đ.ị.t",
        "what the fuuuck",
        "what the fυck",
        "f\u{200B}u\u{200B}c\u{200B}k",
        "sh1ttt happens",
        "con chó mày",
        "con chooo",
        "l0n may",
        "nothing here",
        "",
    ];
    let texts: Vec<Option<String>> = (0..500)
        .map(|i| match i % 7 {
            3 => Some(texts[i % texts.len()].to_uppercase()),
            _ => Some(texts[i % texts.len()].to_owned()),
        })
        .collect();
    let output = scanner.scan(texts.as_slice()).unwrap();
    let mut expected = Vec::new();
    for (row, text) in texts.iter().enumerate() {
        for mut f in scanner.scan_text(text.as_deref().unwrap()).unwrap() {
            f.row = row as u32;
            expected.push(f);
        }
    }
    let count = |rule: u32, text: &str| {
        let rows: Vec<usize> = (0..texts.len())
            .filter(|&r| texts[r].as_deref() == Some(text))
            .collect();
        expected
            .iter()
            .filter(|f| f.rule == rule && rows.contains(&(f.row as usize)))
            .count()
    };
    // The cases the informal cues decide, either way.
    assert_eq!(count(0, texts[0].as_deref().unwrap()), 0, "prose without a cue");
    assert!(count(0, texts[1].as_deref().unwrap()) > 0, "prose with a cue");
    assert!(count(0, texts[9].as_deref().unwrap()) > 0, "chat");
    assert!(expected.iter().any(|f| f.view == View::Skeleton));
    assert_eq!(output.findings, expected);
    assert_eq!(reference.scan(texts.as_slice()).unwrap().findings, expected);
}
