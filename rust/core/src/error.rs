//! One error type for the whole core, so the bindings can map it to Python exceptions in one
//! place (`ConductScanError` > `RulesetError`, `ScanError`, `InputError`).

use std::fmt;

/// A problem found in a ruleset: where it is and what is wrong.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Problem {
    /// The file the problem is in (or `<string>` for rulesets given as text).
    pub file: String,
    /// The rule, clause or law id it concerns, when there is one.
    pub item: Option<String>,
    /// What is wrong, in one line.
    pub reason: String,
}

impl fmt::Display for Problem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.item {
            Some(item) => write!(f, "{}: {}: {}", self.file, item, self.reason),
            None => write!(f, "{}: {}", self.file, self.reason),
        }
    }
}

/// Everything that can go wrong in the core.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// The ruleset is invalid; every problem found is listed, not only the first.
    #[error("{}", join_lines(.0))]
    Ruleset(Vec<Problem>),
    /// Scanning failed (a Hyperscan runtime error, a database too large to build, ...).
    #[error("{0}")]
    Scan(String),
    /// The input texts cannot be scanned (wrong Arrow type, ...).
    #[error("{0}")]
    Input(String),
}

impl Error {
    /// A ruleset error with a single problem.
    pub fn ruleset(file: impl Into<String>, item: Option<&str>, reason: impl Into<String>) -> Self {
        Error::Ruleset(vec![Problem {
            file: file.into(),
            item: item.map(str::to_owned),
            reason: reason.into(),
        }])
    }
}

fn join_lines(problems: &[Problem]) -> String {
    problems.iter().map(Problem::to_string).collect::<Vec<_>>().join("\n")
}

/// Result type of the core.
pub type Result<T, E = Error> = std::result::Result<T, E>;
