//! Links Hyperscan and embeds the bundled rulesets.
//!
//! Hyperscan: by default (feature `vendored`) the `vectorscan-rs-sys` crate builds Vectorscan from
//! source and links it statically, so the extension carries its engine. With `system-hyperscan`
//! the shared `libhs.so.5` is linked instead (Debian's `libhs.a` is not position-independent, so
//! it cannot go into a Python extension); `HYPERSCAN_LIB_DIR` points the linker at another build.
//!
//! Rulesets: every `.toml` file under `rulesets/<name>/` at the repository root is compiled into
//! the library, so `Ruleset::bundled()` works from any installed wheel without data files.
//! `rulesets/examples/` holds examples for users (a provider's extension) and `rulesets/tools/`
//! the scripts and review data that generate ruleset files: neither is a bundled ruleset.

use std::env;
use std::fmt::Write as _;
use std::fs;
use std::path::{Path, PathBuf};

fn main() {
    link_hyperscan();

    let manifest = PathBuf::from(env::var("CARGO_MANIFEST_DIR").unwrap());
    let root = manifest.join("../../rulesets");
    println!("cargo:rerun-if-changed={}", root.display());
    let mut files = Vec::new();
    if root.is_dir() {
        collect_toml(&root, &mut files);
    }
    // A build without them (an sdist that lost rulesets/) would give a scanner with no bundled
    // ruleset: fail here instead.
    assert!(
        !files.is_empty(),
        "no bundled ruleset under {}: the repository's rulesets/ directory must be next to rust/",
        root.display()
    );
    files.sort();
    let mut code = String::from("/// `(path relative to rulesets/, contents)` of every bundled ruleset file.\n");
    code.push_str("pub static BUNDLED_FILES: &[(&str, &str)] = &[\n");
    for file in &files {
        println!("cargo:rerun-if-changed={}", file.display());
        let rel = file.strip_prefix(&root).unwrap().to_string_lossy().replace('\\', "/");
        let abs = fs::canonicalize(file).unwrap();
        writeln!(code, "    ({rel:?}, include_str!({:?})),", abs.display().to_string()).unwrap();
    }
    code.push_str("];\n");
    let out = PathBuf::from(env::var("OUT_DIR").unwrap()).join("bundled.rs");
    fs::write(out, code).unwrap();
}

/// With `vendored`, `vectorscan-rs-sys` builds and links Vectorscan itself; with
/// `system-hyperscan`, the shared `libhs.so.5` is linked (from `HYPERSCAN_LIB_DIR` if set).
fn link_hyperscan() {
    let vendored = env::var_os("CARGO_FEATURE_VENDORED").is_some();
    let system = env::var_os("CARGO_FEATURE_SYSTEM_HYPERSCAN").is_some();
    if vendored == system {
        panic!(
            "conduct-scan-core: enable exactly one of the features `vendored` (the default) and \
             `system-hyperscan` (with --no-default-features)"
        );
    }
    if system {
        println!("cargo:rerun-if-env-changed=HYPERSCAN_LIB_DIR");
        if let Ok(dir) = env::var("HYPERSCAN_LIB_DIR") {
            println!("cargo:rustc-link-search=native={dir}");
        }
        println!("cargo:rustc-link-lib=dylib=hs");
    }
}

fn collect_toml(dir: &Path, files: &mut Vec<PathBuf>) {
    println!("cargo:rerun-if-changed={}", dir.display());
    for entry in fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            if path.file_name().is_some_and(|n| n == "examples" || n == "tools") {
                continue;
            }
            collect_toml(&path, files);
        } else if path.extension().is_some_and(|e| e == "toml") {
            files.push(path);
        }
    }
}
