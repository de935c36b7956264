//! Multi-pattern matchers: every occurrence of every pattern in a view text.
//!
//! Two backends behind one trait, tested with the same tables: [`LiteralMatcher`]
//! (aho-corasick, for terms) and [`HyperscanMatcher`] (for regular expressions, and for terms
//! when asked). Matchers report raw byte spans; word boundaries and per-post conditions are
//! checked afterwards (see `verify`), because Hyperscan has no `\b` in UCP mode and its logical
//! combinations fire per match offset, not per post.

mod hyperscan;
mod hyperscan_ffi;
mod literal;

pub use hyperscan::{
    bare_scan_count, hyperscan_version, validate_pattern, CheckBudget, CompileError, HsPattern, HsScratch,
    HyperscanMatcher,
};
pub use literal::LiteralMatcher;

use crate::error::Result;

/// One occurrence of a pattern: `haystack[start..end]`, byte offsets.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct RawMatch {
    /// Index of the pattern in the list the matcher was built from.
    pub pattern: u32,
    /// Start byte offset.
    pub start: u32,
    /// End byte offset (exclusive).
    pub end: u32,
}

/// A compiled set of patterns that reports every occurrence of every pattern, overlapping ones
/// included.
pub trait Matcher: Send + Sync + Sized {
    /// Per-thread working memory.
    type Scratch;

    /// A matcher for literal strings (matched byte for byte).
    fn from_literals(literals: &[&str]) -> Result<Self>;

    /// Fresh working memory for one thread.
    fn new_scratch() -> Self::Scratch;

    /// Appends every occurrence in `haystack` to `out`, in no particular order.
    fn find_all(&self, haystack: &str, scratch: &mut Self::Scratch, out: &mut Vec<RawMatch>) -> Result<()>;
}

#[cfg(test)]
mod tests {
    use super::*;

    /// `(literals, haystack, expected (pattern, start, end))`, run against both backends.
    type Case = (&'static [&'static str], &'static str, &'static [(u32, u32, u32)]);
    const TABLE: &[Case] = &[
        (&["ngu"], "đồ ngu", &[(0, 6, 9)]),
        (&["ngu"], "ngu ngu", &[(0, 0, 3), (0, 4, 7)]),
        (&["đụ", "đụ má"], "đụ má mày", &[(0, 0, 5), (1, 0, 9)]),
        (&["aa"], "aaaa", &[(0, 0, 2), (0, 1, 3), (0, 2, 4)]),
        (&["fuck", "uck"], "FUCK fuck", &[(0, 5, 9), (1, 6, 9)]),
        (&["a.b"], "axb a.b", &[(0, 4, 7)]),
        (&["x"], "", &[]),
        (&["😀"], "hi 😀😀", &[(0, 3, 7), (0, 7, 11)]),
        (
            &["[", "(", "\\", "$"],
            "a[(\\$",
            &[(0, 1, 2), (1, 2, 3), (2, 3, 4), (3, 4, 5)],
        ),
    ];

    fn run_table<M: Matcher>() {
        for (literals, haystack, expected) in TABLE {
            let matcher = M::from_literals(literals).unwrap();
            let mut scratch = M::new_scratch();
            let mut out = Vec::new();
            matcher.find_all(haystack, &mut scratch, &mut out).unwrap();
            out.sort();
            let mut expected: Vec<RawMatch> = expected
                .iter()
                .map(|&(pattern, start, end)| RawMatch { pattern, start, end })
                .collect();
            expected.sort();
            assert_eq!(out, expected, "{literals:?} in {haystack:?}");
        }
    }

    #[test]
    fn literal_backend() {
        run_table::<LiteralMatcher>();
    }

    #[test]
    fn hyperscan_backend() {
        run_table::<HyperscanMatcher>();
    }
}
