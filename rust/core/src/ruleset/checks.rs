//! The loader's pattern checks, kept on disk between processes.
//!
//! Loading a ruleset asks Hyperscan about every distinct pattern (`hs_expression_info`, most of
//! a compile) and builds two `regex` automata for it: about a CPU-second for the bundled
//! ruleset, paid by every command-line run and every Spark worker although the answers never
//! change for the same pattern and engine. So each complete answer is kept in a small file of
//! its own in the cache directory, next to the compiled databases, named by the SHA-256 of the
//! key: the engine's build ([`ENGINE_BUILD`]: this crate's sources and locked dependencies),
//! Hyperscan's version, the flags and the expression. A file per pattern, rather than one per
//! ruleset, so that editing one rule re-checks only what changed.
//!
//! An entry ends with the SHA-256 of its key and its body: a truncated, altered or misplaced
//! file does not verify and is ignored (the pattern is checked again and the entry rewritten).
//! Answers that did not complete (the time budget ran out, or Hyperscan did not answer in
//! time) are not kept, since another process with more time could answer otherwise. A warm
//! load therefore gives exactly what a cold load with time to finish its checks gives.

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use sha2::{Digest, Sha256};

use crate::matching::{check_pattern, hyperscan_version, CheckBudget, HsPattern};

include!(concat!(env!("OUT_DIR"), "/engine_build.rs"));

/// Bumped when the entry layout changes.
const FORMAT: &[u8] = b"conduct-scan pattern check 1";

/// Entry body: first byte [`ACCEPTED`] or [`REFUSED`], then the reason (UTF-8) if refused.
const ACCEPTED: u8 = b'A';
const REFUSED: u8 = b'R';

/// The pattern checks of one load (an `extends` chain included), under one time budget: each
/// distinct expression (with its flags) is checked once however many rules and views share it
/// (the bundled ruleset asks 287 checks of 127 distinct patterns), and not at all when its
/// answer is in the cache directory.
pub(super) struct PatternChecks {
    budget: CheckBudget,
    answers: HashMap<(String, u32), Option<String>>,
    /// Where entries live (`None`: no disk cache), and the engine part of every key.
    store: Option<(PathBuf, [u8; 32])>,
}

impl PatternChecks {
    /// Checks kept under `cache_dir` (`None`: kept in memory for this load only).
    pub(super) fn new(cache_dir: Option<&Path>) -> Self {
        let store = cache_dir.map(|dir| {
            let mut engine = Sha256::new();
            engine.update(FORMAT);
            engine.update([0]);
            engine.update(ENGINE_BUILD.as_bytes());
            engine.update([0]);
            engine.update(hyperscan_version().as_bytes());
            (dir.join("checks"), engine.finalize().into())
        });
        PatternChecks {
            budget: CheckBudget::default(),
            answers: HashMap::new(),
            store,
        }
    }

    /// Why `pattern` is refused, if it is.
    pub(super) fn check(&mut self, pattern: &HsPattern) -> Option<String> {
        let key = (pattern.expression.clone(), pattern.flags);
        if let Some(answer) = self.answers.get(&key) {
            return answer.clone();
        }
        let entry = self
            .store
            .as_ref()
            .map(|(dir, engine)| Entry::new(dir, engine, pattern));
        let answer = match entry.as_ref().and_then(Entry::read) {
            Some(answer) => answer,
            None => {
                let checked = check_pattern(pattern, &mut self.budget);
                if let (Some(entry), true) = (&entry, checked.complete) {
                    entry.write(checked.refusal.as_deref());
                }
                checked.refusal
            }
        };
        self.answers.insert(key, answer.clone());
        answer
    }
}

/// One pattern's file in the cache.
struct Entry {
    key: [u8; 32],
    path: PathBuf,
}

impl Entry {
    fn new(dir: &Path, engine: &[u8; 32], pattern: &HsPattern) -> Self {
        let mut key = Sha256::new();
        key.update(engine);
        key.update(pattern.flags.to_le_bytes());
        key.update(pattern.expression.as_bytes());
        let key: [u8; 32] = key.finalize().into();
        let name: String = key.iter().map(|b| format!("{b:02x}")).collect();
        Entry {
            key,
            path: dir.join(format!("{name}.check")),
        }
    }

    fn digest(&self, body: &[u8]) -> [u8; 32] {
        let mut digest = Sha256::new();
        digest.update(self.key);
        digest.update(body);
        digest.finalize().into()
    }

    /// The kept answer (`Some(None)`: accepted), or `None` when there is no valid entry.
    fn read(&self) -> Option<Option<String>> {
        let bytes = std::fs::read(&self.path).ok()?;
        let (body, digest) = bytes.split_at(bytes.len().checked_sub(32)?);
        if self.digest(body) != digest {
            return None;
        }
        match body.split_first()? {
            (&ACCEPTED, []) => Some(None),
            (&REFUSED, reason) => Some(Some(String::from_utf8(reason.to_vec()).ok()?)),
            _ => None,
        }
    }

    fn write(&self, refusal: Option<&str>) {
        let mut data = match refusal {
            None => vec![ACCEPTED],
            Some(reason) => [&[REFUSED], reason.as_bytes()].concat(),
        };
        let digest = self.digest(&data);
        data.extend_from_slice(&digest);
        // A cache is an optimisation: failing to write it is not an error. Written aside and
        // renamed, so that a reader never sees half an entry.
        let Some(dir) = self.path.parent() else { return };
        let tmp = self.path.with_extension(format!("tmp{}", std::process::id()));
        if std::fs::create_dir_all(dir).is_ok() && std::fs::write(&tmp, &data).is_ok() {
            let _ = std::fs::rename(&tmp, &self.path);
        }
        let _ = std::fs::remove_file(&tmp);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::Error;
    use crate::Ruleset;

    const HEAD: &str = "[ruleset]\nid = \"t\"\nversion = \"1\"\n[[clause]]\nid = \"c\"\ntitle = \"C\"\n";

    /// Good patterns in two views, and one of each kind of refusal (Hyperscan's parser, the
    /// empty string, any character, in an `unless` list too).
    fn texts() -> [String; 2] {
        let good = format!(
            "{HEAD}[[rule]]\nid = \"r\"\nclause = \"c\"\nviews = [\"exact\", \"casefold\"]\n\
             patterns = [\"ng[uư]+\\\\s+\\\\w+\", \"x?y\"]\nunless = {{ patterns = [\"a.b\"] }}\n"
        );
        let bad = format!(
            "{HEAD}[[rule]]\nid = \"r\"\nclause = \"c\"\npatterns = [\"(a\", \"ok\", \"b*\", \".\"]\n\
             unless = {{ patterns = [\"[^x]\"] }}\n"
        );
        [good, bad]
    }

    /// What a load gives, in a form that can be compared: the ruleset as JSON, or the problems.
    fn outcome(text: &str, dir: Option<&Path>) -> String {
        match Ruleset::from_toml_cached(text, "t.toml", dir) {
            Ok(ruleset) => serde_json::to_string(&ruleset).unwrap(),
            Err(Error::Ruleset(problems)) => problems.iter().map(|p| format!("{p}\n")).collect(),
            Err(e) => panic!("{e}"),
        }
    }

    fn temp_dir(name: &str) -> PathBuf {
        let dir = std::env::temp_dir().join(format!("conduct-scan-checks-{name}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        dir
    }

    fn entries(dir: &Path) -> Vec<PathBuf> {
        let mut files: Vec<PathBuf> = std::fs::read_dir(dir.join("checks"))
            .map(|d| d.map(|e| e.unwrap().path()).collect())
            .unwrap_or_default();
        files.sort();
        files
    }

    #[test]
    fn warm_loads_give_what_cold_loads_give() {
        let dir = temp_dir("warm");
        for text in texts() {
            let uncached = outcome(&text, None);
            assert_eq!(outcome(&text, Some(&dir)), uncached, "cold");
            assert_eq!(outcome(&text, Some(&dir)), uncached, "warm");
        }
        // One entry per distinct expression and flags: 3 good patterns in two views (caseless
        // or not), 5 refused ones (refusals are kept too).
        assert_eq!(entries(&dir).len(), 3 * 2 + 5);
        assert!(outcome(&texts()[1], None).contains("matches any single character"));
        let _ = std::fs::remove_dir_all(&dir);
    }

    #[test]
    fn warm_loads_read_the_entries() {
        // An entry is trusted once it verifies: plant one that refuses a good pattern, and the
        // load reports it (so the warm test above did not pass by checking everything again).
        let dir = temp_dir("planted");
        let text = format!("{HEAD}[[rule]]\nid = \"r\"\nclause = \"c\"\npatterns = [\"fine\"]\n");
        let checks = PatternChecks::new(Some(&dir));
        let (store, engine) = checks.store.as_ref().unwrap();
        Entry::new(store, engine, &HsPattern::regex("fine", true)).write(Some("planted reason"));
        assert!(outcome(&text, Some(&dir)).contains("planted reason"));
        assert!(!outcome(&text, None).contains("planted reason"));
        let _ = std::fs::remove_dir_all(&dir);
    }

    #[test]
    fn corrupt_or_misplaced_entries_are_ignored_and_rewritten() {
        for (n, text) in texts().iter().enumerate() {
            let dir = temp_dir(&format!("corrupt{n}"));
            let expected = outcome(text, None);
            outcome(text, Some(&dir));
            let files = entries(&dir);
            let kept: Vec<Vec<u8>> = files.iter().map(|f| std::fs::read(f).unwrap()).collect();
            let damages: [&dyn Fn(&[u8], usize) -> Vec<u8>; 6] = [
                &|_, _| Vec::new(),
                &|b, _| b[..b.len() - 1].to_vec(),
                &|b, _| [b, b"x"].concat(),
                &|b, _| [&[b'R'], &b[1..]].concat(),
                &|b, _| b.iter().map(|x| x ^ 1).collect(),
                // Another pattern's valid entry under this name.
                &|_, i| kept[(i + 1) % kept.len()].clone(),
            ];
            for damage in damages {
                for (i, file) in files.iter().enumerate() {
                    std::fs::write(file, damage(&kept[i], i)).unwrap();
                }
                assert_eq!(outcome(text, Some(&dir)), expected);
                for (i, file) in files.iter().enumerate() {
                    assert_eq!(
                        std::fs::read(file).unwrap(),
                        kept[i],
                        "{} not rewritten",
                        file.display()
                    );
                }
            }
            let _ = std::fs::remove_dir_all(&dir);
        }
    }

    #[test]
    fn entries_are_keyed_by_engine_flags_and_expression() {
        let dir = Path::new("d");
        let path = |engine: u8, pattern: &HsPattern| Entry::new(dir, &[engine; 32], pattern).path;
        let pattern = HsPattern::regex("a+b", true);
        assert_eq!(path(0, &pattern), path(0, &pattern.clone()));
        assert_ne!(
            path(0, &pattern),
            path(1, &pattern),
            "another engine build or Hyperscan"
        );
        assert_ne!(path(0, &pattern), path(0, &HsPattern::regex("a+b", false)));
        assert_ne!(path(0, &pattern), path(0, &HsPattern::regex("a+c", true)));
    }

    #[test]
    fn unfinished_checks_are_not_kept() {
        let dir = temp_dir("unfinished");
        let pattern = HsPattern::regex("(a", true);
        let mut checks = PatternChecks::new(Some(&dir));
        checks.budget = CheckBudget::new(std::time::Duration::ZERO);
        // Hyperscan is not asked; the `regex` crate still refuses the pattern.
        assert!(checks.check(&pattern).is_some());
        assert!(entries(&dir).is_empty(), "an answer without Hyperscan's was kept");
        assert!(PatternChecks::new(Some(&dir)).check(&pattern).is_some());
        assert_eq!(entries(&dir).len(), 1);
        let _ = std::fs::remove_dir_all(&dir);
    }
}
