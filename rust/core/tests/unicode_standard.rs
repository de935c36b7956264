//! The `exact` and `casefold` views against the Unicode Character Database itself:
//! `casefold` is NFKC_Casefold (`DerivedNormalizationProps.txt`) on every assigned code point
//! and on every string of `NormalizationTest.txt`, and `exact` is NFC on the latter.
//!
//! The UCD files come from Debian's `unicode-data` package (`/usr/share/unicode`, or
//! `$UNICODE_DATA_DIR`); `.ci/run` installs it. Without them these tests print why and pass.
//! The engine's normalisation data is newer than Debian's UCD (see README, "Unicode versions"):
//! code points assigned after the file's version are not checked here.

use std::collections::HashMap;
use std::fs;
use std::path::PathBuf;
use std::process::Command;

use conduct_scan_core::normalise::normalise;
use conduct_scan_core::View;
use unicode_normalization::UnicodeNormalization;

fn ucd_dir() -> Option<PathBuf> {
    let dir = std::env::var_os("UNICODE_DATA_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from("/usr/share/unicode"));
    if dir.join("DerivedNormalizationProps.txt").is_file() && dir.join("UnicodeData.txt").is_file() {
        Some(dir)
    } else {
        eprintln!(
            "skipped: no UCD files in {} (apt-get install unicode-data, or set UNICODE_DATA_DIR)",
            dir.display()
        );
        None
    }
}

fn parse_code_points(field: &str) -> String {
    field
        .split_whitespace()
        .map(|hex| char::from_u32(u32::from_str_radix(hex, 16).unwrap()).unwrap())
        .collect()
}

/// `NFKC_CF` of every code point that the file lists (all others map to themselves).
fn nfkc_cf(dir: &std::path::Path) -> HashMap<char, String> {
    let text = fs::read_to_string(dir.join("DerivedNormalizationProps.txt")).unwrap();
    let mut map = HashMap::new();
    for line in text.lines() {
        let data = line.split('#').next().unwrap();
        let fields: Vec<&str> = data.split(';').map(str::trim).collect();
        if fields.len() != 3 || fields[1] != "NFKC_CF" {
            continue;
        }
        let (lo, hi) = match fields[0].split_once("..") {
            Some((lo, hi)) => (lo, hi),
            None => (fields[0], fields[0]),
        };
        let (lo, hi) = (
            u32::from_str_radix(lo, 16).unwrap(),
            u32::from_str_radix(hi, 16).unwrap(),
        );
        let mapped = parse_code_points(fields[2]);
        for u in lo..=hi {
            if let Some(c) = char::from_u32(u) {
                map.insert(c, mapped.clone());
            }
        }
    }
    assert!(map.len() > 5000, "NFKC_CF not found in DerivedNormalizationProps.txt");
    map
}

/// Every assigned code point of the file's version (general category not Cn), without
/// surrogates.
fn assigned(dir: &std::path::Path) -> Vec<char> {
    let text = fs::read_to_string(dir.join("UnicodeData.txt")).unwrap();
    let mut out = Vec::new();
    let mut range_start = None;
    for line in text.lines() {
        let fields: Vec<&str> = line.split(';').collect();
        let u = u32::from_str_radix(fields[0], 16).unwrap();
        if fields[1].ends_with(", First>") {
            range_start = Some(u);
            continue;
        }
        let lo = if fields[1].ends_with(", Last>") {
            range_start.take().unwrap()
        } else {
            u
        };
        out.extend((lo..=u).filter_map(char::from_u32));
    }
    out
}

/// The Unicode version named in a UCD file's first line (`# DerivedNormalizationProps-15.0.0.txt`).
fn version(dir: &std::path::Path) -> String {
    let text = fs::read_to_string(dir.join("DerivedNormalizationProps.txt")).unwrap();
    let first = text.lines().next().unwrap_or_default();
    first
        .trim_start_matches("# DerivedNormalizationProps-")
        .trim_end_matches(".txt")
        .to_string()
}

/// toNFKC_Casefold of a string as UAX #44 defines it: each character mapped, then NFC.
fn to_nfkc_casefold(map: &HashMap<char, String>, s: &str) -> String {
    let mapped: String = s
        .chars()
        .map(|c| map.get(&c).cloned().unwrap_or_else(|| c.to_string()))
        .collect();
    mapped.nfc().collect()
}

fn hex(s: &str) -> String {
    s.chars()
        .map(|c| format!("{:04X}", c as u32))
        .collect::<Vec<_>>()
        .join(" ")
}

#[test]
fn casefold_is_nfkc_casefold_on_every_assigned_code_point() {
    let Some(dir) = ucd_dir() else { return };
    let map = nfkc_cf(&dir);
    let mut differ = Vec::new();
    let code_points = assigned(&dir);
    for &c in &code_points {
        // Alone, and after a letter that combining marks compose with.
        for text in [c.to_string(), format!("a{c}")] {
            let expected = to_nfkc_casefold(&map, &text);
            let got = normalise(View::Casefold, &text);
            if got != expected {
                differ.push(format!(
                    "U+{:04X} in {:?}: view {} ({}), NFKC_CF {} ({})",
                    c as u32,
                    hex(&text),
                    got,
                    hex(&got),
                    expected,
                    hex(&expected)
                ));
            }
        }
    }
    eprintln!(
        "{} assigned code points of Unicode {}; {} cases differ",
        code_points.len(),
        version(&dir),
        differ.len()
    );
    assert!(
        differ.is_empty(),
        "{} cases differ:\n{}",
        differ.len(),
        differ[..differ.len().min(60)].join("\n")
    );
}

/// The columns of `NormalizationTest.txt` (c1..c5), one test case a line.
fn normalization_tests(dir: &std::path::Path) -> Option<Vec<[String; 5]>> {
    let plain = dir.join("NormalizationTest.txt");
    let text = if plain.is_file() {
        fs::read_to_string(plain).unwrap()
    } else {
        let packed = dir.join("NormalizationTest.txt.bz2");
        let output = Command::new("bzip2").arg("-dc").arg(&packed).output();
        match output {
            Ok(out) if out.status.success() => String::from_utf8(out.stdout).unwrap(),
            _ => {
                eprintln!("skipped: cannot read {} (needs bzip2)", packed.display());
                return None;
            }
        }
    };
    let mut cases = Vec::new();
    for line in text.lines() {
        if line.starts_with('#') || line.starts_with('@') || line.trim().is_empty() {
            continue;
        }
        let fields: Vec<String> = line.split(';').take(5).map(parse_code_points).collect();
        cases.push(fields.try_into().unwrap());
    }
    assert!(cases.len() > 10_000, "NormalizationTest.txt has too few cases");
    Some(cases)
}

#[test]
fn views_pass_normalization_test() {
    let Some(dir) = ucd_dir() else { return };
    let Some(cases) = normalization_tests(&dir) else { return };
    let map = nfkc_cf(&dir);
    let mut failures = Vec::new();
    for case in &cases {
        for (column, source) in case.iter().enumerate() {
            // NFC(c1) = NFC(c2) = NFC(c3) = c2, NFC(c4) = NFC(c5) = c4.
            let nfc = if column < 3 { &case[1] } else { &case[3] };
            let exact = normalise(View::Exact, source);
            if &exact != nfc {
                failures.push(format!(
                    "exact of c{} {}: {} != {}",
                    column + 1,
                    hex(source),
                    hex(&exact),
                    hex(nfc)
                ));
            }
            let casefold = normalise(View::Casefold, source);
            let expected = to_nfkc_casefold(&map, source);
            if casefold != expected {
                failures.push(format!(
                    "casefold of c{} {}: {} != {}",
                    column + 1,
                    hex(source),
                    hex(&casefold),
                    hex(&expected)
                ));
            }
        }
    }
    eprintln!("{} NormalizationTest cases, {} failures", cases.len(), failures.len());
    assert!(
        failures.is_empty(),
        "{} failures:\n{}",
        failures.len(),
        failures[..failures.len().min(60)].join("\n")
    );
}
