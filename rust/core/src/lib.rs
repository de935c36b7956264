//! # conduct-scan-core
//!
//! The scanning engine of conduct_scan, plain Rust (no PyO3): it finds, in social-network
//! posts, the words and phrases that the rules of a Code-of-Conduct ruleset flag, including the
//! usual evasions (dropped diacritics, teencode, spaced-out or repeated letters, leetspeak,
//! homoglyphs, zero-width characters).
//!
//! The data path, one module per step:
//! [`ruleset`] (TOML → validated rules) → [`normalise`] (views of each text, with offset maps)
//! → [`matching`] (aho-corasick and Hyperscan) → [`verify`] (word boundaries, `unless`, `allow`,
//! `near`, `min_count`, de-duplication) → [`scanner`] (all of it over many texts in parallel)
//! → [`arrow`] (Arrow columns in, findings record batch out). [`lang`] guesses a post's language
//! so that rules tagged with another language stay silent on it.
//!
//! ```no_run
//! use std::sync::Arc;
//! use conduct_scan_core::{Ruleset, Scanner, ScanOptions};
//!
//! let ruleset = Arc::new(Ruleset::bundled()?);
//! let scanner = Scanner::new(ruleset.clone(), ScanOptions::default())?;
//! for finding in scanner.scan_text("Đ.ị.t mẹ mày")? {
//!     let rule = &ruleset.rules[finding.rule as usize];
//!     println!("{} {} {:?} in view {}", rule.id, rule.clause, finding.matched, finding.view);
//! }
//! # Ok::<(), conduct_scan_core::Error>(())
//! ```

#![deny(missing_docs)]

pub mod arrow;
mod error;
pub mod lang;
pub mod matching;
pub mod normalise;
pub mod ruleset;
pub mod scanner;
pub mod similarity;
pub mod verify;

pub use error::{catch_panic, panic_message, Error, Problem, Result};
pub use normalise::{View, ViewSet};
pub use ruleset::{Ruleset, Severity};
pub use scanner::{Finding, LiteralBackend, ScanOptions, ScanOutput, Scanner, TextSource};
