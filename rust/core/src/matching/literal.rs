//! Literal terms through aho-corasick.

use aho_corasick::{AhoCorasick, AhoCorasickKind, MatchKind};

use super::{Matcher, RawMatch};
use crate::error::{Error, Result};

/// Below this many bytes of patterns a full DFA is built: it is the fastest search and its size
/// is still small. Larger sets let aho-corasick pick a (contiguous) NFA to bound memory.
const DFA_PATTERN_BYTES: usize = 64 * 1024;

/// Every occurrence of a set of literal strings (aho-corasick, overlapping search).
pub struct LiteralMatcher {
    automaton: AhoCorasick,
}

impl Matcher for LiteralMatcher {
    type Scratch = ();

    fn from_literals(literals: &[&str]) -> Result<Self> {
        let bytes: usize = literals.iter().map(|l| l.len()).sum();
        let kind = (bytes <= DFA_PATTERN_BYTES).then_some(AhoCorasickKind::DFA);
        let automaton = AhoCorasick::builder()
            .match_kind(MatchKind::Standard)
            .kind(kind)
            .build(literals)
            .map_err(|e| Error::Scan(format!("cannot build the literal matcher: {e}")))?;
        Ok(LiteralMatcher { automaton })
    }

    fn new_scratch() -> Self::Scratch {}

    fn find_all(&self, haystack: &str, _: &mut (), out: &mut Vec<RawMatch>) -> Result<()> {
        for m in self.automaton.find_overlapping_iter(haystack) {
            out.push(RawMatch {
                pattern: m.pattern().as_u32(),
                start: m.start() as u32,
                end: m.end() as u32,
            });
        }
        Ok(())
    }
}
