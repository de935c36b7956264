//! Times view building and scanning on a file of posts, for profiling:
//! `cargo run --release --example profile_views -- posts.txt [rules.toml]`.
//!
//! Posts are separated by NUL bytes when the file has any (posts may hold newlines), else one
//! per line. Without a ruleset path the bundled ruleset is used. Settings (environment):
//! `REPEAT` scans that many times; `SCAN_ONLY` skips timing the view builds; `THREADS` (default
//! 1); `FINDINGS=path` writes every finding as `row rule view start end`, one a line, so that
//! two builds of the engine can be compared with `cmp`; `CACHE_DIR=dir` keeps the compiled
//! databases there, so that a profile of a second run shows the scan, not the compiler.

use std::io::Write;
use std::sync::Arc;
use std::time::Instant;

use conduct_scan_core::normalise::{ViewSet, ViewTexts};
use conduct_scan_core::{Ruleset, ScanOptions, Scanner, View};

fn cpu_seconds() -> f64 {
    let mut usage: libc::rusage = unsafe { std::mem::zeroed() };
    // SAFETY: getrusage fills the struct it is given.
    unsafe { libc::getrusage(libc::RUSAGE_SELF, &mut usage) };
    let t = |v: libc::timeval| v.tv_sec as f64 + v.tv_usec as f64 / 1e6;
    t(usage.ru_utime) + t(usage.ru_stime)
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let text = std::fs::read_to_string(&args[1]).expect("posts file");
    let posts: Vec<&str> = if text.contains('\0') {
        text.split_terminator('\0').collect()
    } else {
        text.lines().collect()
    };
    let mb = text.len() as f64 / 1e6;
    let ascii = text.bytes().filter(|b| b.is_ascii()).count();
    println!(
        "{:.0}% ASCII bytes, {} posts, {mb:.1} MB",
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
    let ruleset = match args.get(2) {
        Some(path) => Ruleset::load(path.as_ref()),
        None => Ruleset::load(concat!(env!("CARGO_MANIFEST_DIR"), "/../../rulesets/vn-social-code-2021").as_ref()),
    };
    let ruleset = Arc::new(ruleset.expect("ruleset"));
    let threads = std::env::var("THREADS").ok().and_then(|t| t.parse().ok()).unwrap_or(1);
    let scanner = Scanner::new(
        ruleset,
        ScanOptions {
            threads: Some(threads),
            cache_dir: std::env::var_os("CACHE_DIR").map(Into::into),
            ..Default::default()
        },
    )
    .unwrap();
    let repeat: usize = std::env::var("REPEAT").ok().and_then(|r| r.parse().ok()).unwrap_or(1);
    let mut best = f64::INFINITY;
    let mut out = None;
    for _ in 0..repeat {
        let (wall, cpu) = (Instant::now(), cpu_seconds());
        out = Some(scanner.scan(posts.as_slice()).unwrap());
        let (wall, cpu) = (wall.elapsed().as_secs_f64(), cpu_seconds() - cpu);
        best = best.min(cpu);
        println!("scan: {:.0} MB/s wall, {:.0} MB/s cpu", mb / wall, mb / cpu);
    }
    let out = out.expect("REPEAT >= 1");
    println!("best {:.0} MB/s cpu, {} findings", mb / best, out.findings.len());
    if let Some(path) = std::env::var_os("FINDINGS") {
        let mut file = std::io::BufWriter::new(std::fs::File::create(path).expect("findings file"));
        for f in &out.findings {
            writeln!(file, "{} {} {} {} {}", f.row, f.rule, f.view, f.start, f.end).unwrap();
        }
    }
}
