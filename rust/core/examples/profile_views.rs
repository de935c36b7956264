//! Times view building and scanning on a file of posts (one per line), for profiling:
//! `cargo run --release --example profile_views -- posts.txt rules.toml`.

use std::sync::Arc;
use std::time::Instant;

use conduct_scan_core::normalise::{ViewSet, ViewTexts};
use conduct_scan_core::{Ruleset, ScanOptions, Scanner, View};

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let text = std::fs::read_to_string(&args[1]).expect("posts file");
    let posts: Vec<&str> = text.lines().collect();
    let mb = text.len() as f64 / 1e6;
    whole(&text);
    let ascii = text.bytes().filter(|b| b.is_ascii()).count();
    println!(
        "{:.0}% ASCII bytes, {} posts",
        100.0 * ascii as f64 / text.len() as f64,
        posts.len()
    );
    let mut views = ViewTexts::default();
    let scan_only = std::env::var_os("SCAN_ONLY").is_some();
    for (name, set) in [
        ("casefold", ViewSet::of(View::Casefold)),
        ("fold", ViewSet::of(View::Fold)),
        ("skeleton", ViewSet::of(View::Skeleton)),
        ("all", View::ALL.into_iter().collect()),
    ] {
        if scan_only {
            break;
        }
        let started = Instant::now();
        for post in &posts {
            views.build(post, set, false);
        }
        let secs = started.elapsed().as_secs_f64();
        println!("build {name}: {:.0} MB/s", mb / secs);
    }
    if let Some(rules) = args.get(2) {
        let ruleset = Arc::new(Ruleset::load(rules.as_ref()).expect("ruleset"));
        let scanner = Scanner::new(
            ruleset,
            ScanOptions {
                threads: Some(1),
                ..Default::default()
            },
        )
        .unwrap();
        let started = Instant::now();
        let mut out = scanner.scan(posts.as_slice()).unwrap();
        for _ in 1..std::env::var("REPEAT").ok().and_then(|r| r.parse().ok()).unwrap_or(1) {
            out = scanner.scan(posts.as_slice()).unwrap();
        }
        let repeat: f64 = std::env::var("REPEAT").ok().and_then(|r| r.parse().ok()).unwrap_or(1.0);
        println!(
            "scan: {:.0} MB/s, {} findings",
            repeat * mb / started.elapsed().as_secs_f64(),
            out.findings.len()
        );
    }
}

fn whole(text: &str) {
    let mut views = ViewTexts::default();
    let started = Instant::now();
    views.build(text, ViewSet::of(View::Casefold), false);
    println!(
        "build casefold, one text: {:.0} MB/s",
        text.len() as f64 / 1e6 / started.elapsed().as_secs_f64()
    );
}
