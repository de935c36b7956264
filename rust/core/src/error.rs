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
    /// A bug: the core panicked, on row `row` of the texts given when it was scanning one.
    /// Panics are caught per row, so they never unwind into the thread pool or the caller.
    #[error("internal error{}: {message} (a bug in conduct-scan; please report it)", row.map(|r| format!(" on row {r}")).unwrap_or_default())]
    Panic {
        /// The row being scanned (0-based, in the texts given to the call), if any.
        row: Option<usize>,
        /// The panic's message.
        message: String,
    },
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

/// Runs `work`, turning a panic into [`Error::Panic`] (with no row).
pub fn catch_panic<T>(work: impl FnOnce() -> Result<T>) -> Result<T> {
    std::panic::catch_unwind(std::panic::AssertUnwindSafe(work)).unwrap_or_else(|payload| {
        Err(Error::Panic {
            row: None,
            message: panic_message(payload.as_ref()),
        })
    })
}

/// The message of a panic payload (`panic!` gives a `&str` or a `String`), on one line.
pub fn panic_message(payload: &(dyn std::any::Any + Send)) -> String {
    let text = if let Some(s) = payload.downcast_ref::<&str>() {
        s
    } else if let Some(s) = payload.downcast_ref::<String>() {
        s.as_str()
    } else {
        "panic"
    };
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

fn join_lines(problems: &[Problem]) -> String {
    problems.iter().map(Problem::to_string).collect::<Vec<_>>().join("\n")
}

/// Result type of the core.
pub type Result<T, E = Error> = std::result::Result<T, E>;
