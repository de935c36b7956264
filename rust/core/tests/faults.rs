//! Faults and hostile rulesets: a panic while scanning becomes an error naming the row; compile
//! time and database size are bounded, with errors naming the rule.
//!
//! The panic is injected through `CONDUCT_SCAN_FAULT_PANIC_ON` (read once per process; this
//! file is its own test binary, so no other test sees it).

use std::sync::Arc;
use std::time::{Duration, Instant};

use conduct_scan_core::scanner::FAULT_INJECTION_ENV;
use conduct_scan_core::{Error, Ruleset, ScanOptions, Scanner};

const HEAD: &str = "[ruleset]\nid = \"t\"\nversion = \"1\"\n[[clause]]\nid = \"c\"\ntitle = \"C\"\n";

fn ruleset(rules: &str) -> Arc<Ruleset> {
    Arc::new(Ruleset::from_toml(&format!("{HEAD}{rules}"), "t.toml").unwrap())
}

fn problems(result: Result<Scanner, Error>) -> Vec<String> {
    match result {
        Err(Error::Ruleset(problems)) => problems.iter().map(ToString::to_string).collect(),
        Err(e) => panic!("not a ruleset error: {e}"),
        Ok(_) => panic!("compiled"),
    }
}

#[test]
fn a_panic_on_a_row_is_an_error_naming_the_row() {
    std::env::set_var(FAULT_INJECTION_ENV, "BOOM-MARKER");
    let rules = ruleset("[[rule]]\nid = \"r\"\nclause = \"c\"\nterms = [\"ngu\"]\n");
    for threads in [1, 2] {
        let scanner = Scanner::new(
            rules.clone(),
            ScanOptions {
                threads: Some(threads),
                ..ScanOptions::default()
            },
        )
        .unwrap();
        // Many tasks, so the panicking row is on a worker thread of the pool.
        let mut texts: Vec<String> = (0..3000).map(|i| format!("post {i} đồ ngu")).collect();
        texts[2021] = "a BOOM-MARKER here".into();
        match scanner.scan(&texts[..]) {
            Err(Error::Panic { row, message }) => {
                assert_eq!(row, Some(2021));
                assert!(message.contains("fault injection"), "{message}");
            }
            other => panic!("expected a panic error, got {other:?}"),
        }
        let line = scanner.scan(&texts[..]).unwrap_err().to_string();
        assert!(
            line.starts_with("internal error on row 2021: fault injection"),
            "{line}"
        );
        assert!(!line.contains('\n'));
        // The scanner is still usable afterwards, on every thread.
        texts[2021] = "đồ ngu".into();
        assert_eq!(scanner.scan(&texts[..]).unwrap().findings.len(), 3000);
    }
}

/// Hyperscan takes 0.4 s to compile this (a bounded repeat of a Unicode class; at {1,800} it
/// takes 19.5 s and is refused as too large), the `regex` crate little.
const SLOW_PATTERN: &str = r"(?:\w\s*){1,100}x";

#[test]
fn a_slow_pattern_is_refused_within_the_limit_naming_the_rule() {
    let rules = ruleset(&format!(
        "[[rule]]\nid = \"fast\"\nclause = \"c\"\nterms = [\"ngu\"]\n\
         [[rule]]\nid = \"slow\"\nclause = \"c\"\npatterns = [{SLOW_PATTERN:?}]\n"
    ));
    let limit = Duration::from_millis(50);
    let started = Instant::now();
    let got = problems(Scanner::new(
        rules,
        ScanOptions {
            threads: Some(1),
            max_compile_time: Some(limit),
            ..ScanOptions::default()
        },
    ));
    let took = started.elapsed();
    assert!(took < Duration::from_secs(1), "took {took:?}");
    assert_eq!(got.len(), 1, "{got:?}");
    assert!(
        got[0].starts_with("t.toml: rule slow: pattern") && got[0].contains("takes more than 0.05 s to compile"),
        "{got:?}"
    );
}

#[test]
fn many_terms_that_do_not_compile_in_time_name_the_largest_rule() {
    let terms: Vec<String> = (0..20_000).map(|i| format!("\"term{i}x\"")).collect();
    let rules = ruleset(&format!(
        "[[rule]]\nid = \"small\"\nclause = \"c\"\nterms = [\"ngu\"]\n\
         [[rule]]\nid = \"big\"\nclause = \"c\"\nterms = [{}]\n",
        terms.join(",")
    ));
    let got = problems(Scanner::new(
        rules,
        ScanOptions {
            threads: Some(1),
            max_compile_time: Some(Duration::from_millis(1)),
            ..ScanOptions::default()
        },
    ));
    assert_eq!(got.len(), 1, "{got:?}");
    assert!(
        got[0].starts_with(
            "t.toml: rule big: the 20001 patterns and terms of view `casefold` do not compile within 0.001 s"
        ),
        "{got:?}"
    );
}

#[test]
fn a_database_above_the_size_limit_names_the_rule() {
    let rules = ruleset(
        "[[rule]]\nid = \"a\"\nclause = \"c\"\nterms = [\"ngu\"]\n\
         [[rule]]\nid = \"b\"\nclause = \"c\"\nterms = [\"one\", \"two\", \"three\"]\n",
    );
    let got = problems(Scanner::new(
        rules.clone(),
        ScanOptions {
            threads: Some(1),
            max_database_bytes: Some(64),
            ..ScanOptions::default()
        },
    ));
    assert_eq!(got.len(), 1, "{got:?}");
    assert!(
        got[0].starts_with("t.toml: rule b: the Hyperscan database of view `casefold`"),
        "{got:?}"
    );
    assert!(got[0].contains("above the limit of 0.0 MB"), "{got:?}");
    let generous = ScanOptions {
        max_database_bytes: Some(1 << 20),
        max_compile_time: Some(Duration::from_secs(60)),
        ..ScanOptions::default()
    };
    assert!(Scanner::new(rules, generous).is_ok());
}

/// Found by the `scan` fuzz target (artifact `scan-timeout-3d402e5c`): a rule whose only pattern
/// is `\w`, in the exact and skeleton views, ran past libFuzzer's 30 s timeout in the
/// instrumented build (building Unicode classes is slow under AddressSanitizer; 0.12 s in a
/// release build). With a limit it compiles, or is refused naming the rule, in bounded time.
#[test]
fn fuzz_regression_a_lone_unicode_class_compiles_or_is_refused_in_time() {
    let rules =
        ruleset("[[rule]]\nid = \"r0\"\nclause = \"c\"\npatterns = ['\\w']\nviews = [\"exact\", \"skeleton\"]\n");
    let limit = Duration::from_millis(500);
    let started = Instant::now();
    let result = Scanner::new(
        rules,
        ScanOptions {
            threads: Some(1),
            max_compile_time: Some(limit),
            ..ScanOptions::default()
        },
    );
    let took = started.elapsed();
    assert!(took < limit * 3, "took {took:?}");
    if let Err(e) = result {
        let got = problems(Err(e));
        assert_eq!(got.len(), 1, "{got:?}");
        // Either the pattern alone did not compile in time, or the view's database as a whole.
        assert!(got[0].starts_with("t.toml: rule r0: "), "{got:?}");
        assert!(
            got[0].contains("0.5 s") && got[0].contains("(--max-compile-seconds)"),
            "{got:?}"
        );
    }
}

#[test]
fn more_terms_than_hyperscan_takes_compile_with_aho_corasick() {
    let n = conduct_scan_core::scanner::MAX_HYPERSCAN_LITERALS + 1;
    let terms: Vec<String> = (0..n).map(|i| format!("\"w{i}q\"")).collect();
    let rules = ruleset(&format!(
        "[[rule]]\nid = \"big\"\nclause = \"c\"\nterms = [{}]\n",
        terms.join(",")
    ));
    let options = ScanOptions {
        threads: Some(1),
        max_compile_time: Some(Duration::from_secs(60)),
        ..ScanOptions::default()
    };
    let started = Instant::now();
    let scanner = Scanner::new(rules, options).unwrap();
    assert!(
        started.elapsed() < Duration::from_secs(30),
        "took {:?}",
        started.elapsed()
    );
    let found = scanner.scan_text("a w99999q b w0q").unwrap();
    let matched: Vec<&str> = found.iter().map(|f| f.matched.as_str()).collect();
    assert_eq!(matched, ["w99999q", "w0q"]);
}
