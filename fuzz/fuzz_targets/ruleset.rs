//! The ruleset loader on arbitrary TOML: it never panics, every error is a list of one-line
//! problems, and a ruleset it accepts compiles into a scanner (or is refused with problems).
#![no_main]

use std::sync::Arc;
use std::time::Duration;

use conduct_scan_core::{Error, Ruleset, ScanOptions, Scanner};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else { return };
    match Ruleset::from_toml(text, "fuzz.toml") {
        Ok(ruleset) => {
            let _ = ruleset.to_json();
            let options = ScanOptions {
                threads: Some(1),
                max_compile_time: Some(Duration::from_secs(2)),
                ..ScanOptions::default()
            };
            let patterns: usize = ruleset.rules.iter().map(|r| r.patterns.len() * r.views.len()).sum();
            if patterns <= 16 {
                match Scanner::new(Arc::new(ruleset), options) {
                    Ok(scanner) => {
                        let _ = scanner.scan_text(text);
                    }
                    Err(e) => assert_problems(&e),
                }
            }
        }
        Err(e) => assert_problems(&e),
    }
});

fn assert_problems(error: &Error) {
    let Error::Ruleset(problems) = error else {
        panic!("not a ruleset error: {error}");
    };
    assert!(!problems.is_empty(), "a ruleset error without problems");
    for p in problems {
        assert!(!p.reason.trim().is_empty(), "an empty reason: {p:?}");
        assert!(!p.to_string().contains('\n'), "a problem on several lines: {p:?}");
    }
}
