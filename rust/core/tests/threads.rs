//! Loading and compiling use helper threads (to bound the time Hyperscan may take); when they
//! answer in time none may outlive the call. Found by the `ruleset` fuzz target: LeakSanitizer
//! reported the thread-local storage of a check thread still exiting after the load returned.
//! A test binary of its own, so no other test's threads are counted.

use std::sync::Arc;
use std::time::Duration;

use conduct_scan_core::{Ruleset, ScanOptions, Scanner};

fn threads() -> usize {
    std::fs::read_dir("/proc/self/task").map_or(0, |d| d.count())
}

#[test]
fn fuzz_regression_no_helper_thread_outlives_loading_or_compiling() {
    let before = threads();
    let ruleset = Ruleset::from_toml(
        "[ruleset]\nid = \"t\"\nversion = \"1\"\n[[clause]]\nid = \"c\"\ntitle = \"C\"\n\
         [[rule]]\nid = \"r\"\nclause = \"c\"\nterms = [\"ngu\"]\npatterns = [\"đ[iị]t\\\\s+m[eẹ]\", \"x+y\"]\n\
         views = [\"casefold\", \"fold\"]\n",
        "t.toml",
    )
    .unwrap();
    assert_eq!(threads(), before, "the loader left a thread running");
    let options = ScanOptions {
        threads: Some(1),
        max_compile_time: Some(Duration::from_secs(60)),
        ..ScanOptions::default()
    };
    let scanner = Scanner::new(Arc::new(ruleset), options).unwrap();
    assert_eq!(threads(), before, "compiling left a thread running");
    assert_eq!(scanner.scan_text("địt mẹ").unwrap().len(), 1);
}
