//! The scanner: a ruleset compiled into matchers, applied to many texts in parallel.
//!
//! For each text: build the views the rules need; scan every distinct view text once (views
//! that came out byte-equal share one scan, with matchers compiled for that set of views); keep
//! word-bounded hits; only when a rule term was hit, rebuild the views with offset maps, locate
//! the hits in the original text and verify the per-post conditions (`verify`).

use std::cell::RefCell;
use std::collections::HashMap;
use std::sync::{Arc, Mutex, OnceLock};
use std::time::{Duration, Instant};

use rayon::prelude::*;

use crate::error::{panic_message, Error, Problem, Result};
use crate::lang::{self, Lang};
use crate::matching::{CompileError, HsPattern, HsScratch, HyperscanMatcher, LiteralMatcher, Matcher, RawMatch};
use crate::normalise::pattern::normalise_pattern;
use crate::normalise::{normalise, View, ViewSet, ViewTexts};
use crate::ruleset::{MatchMode, Rule, Ruleset};
use crate::verify::{
    is_edited_prose, is_word_bounded, resolve_rule, silence_other_language, Conditions, Hit, Outcome, Role, GLOBAL,
};

/// Which matcher runs literal terms.
///
/// Both give the same findings (the same tests run against both). Hyperscan is the default
/// because it measured faster on this project's corpora: 19% at 2,000 terms and 64% at
/// 100,000 terms (README, "Performance"); its databases take longer to compile, which the
/// on-disk cache pays once.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum LiteralBackend {
    /// aho-corasick: a Rust automaton per set of equal views.
    AhoCorasick,
    /// Hyperscan, in each view's database with the patterns (the default; up to
    /// [`MAX_HYPERSCAN_LITERALS`] terms in a view, aho-corasick above).
    #[default]
    Hyperscan,
}

/// Scanner settings.
#[derive(Clone, Debug, Default)]
pub struct ScanOptions {
    /// Worker threads; `None` uses every available core.
    pub threads: Option<usize>,
    /// Matcher for literal terms.
    pub literal_backend: LiteralBackend,
    /// Characters of context kept either side of each match (0: none).
    pub context_chars: usize,
    /// Directory where compiled Hyperscan databases are kept between runs (`None`: no cache).
    pub cache_dir: Option<std::path::PathBuf>,
    /// Longest time compiling may take, all views together (`None`: no limit); past it,
    /// [`Scanner::new`] fails naming the rule that makes compiling slow.
    pub max_compile_time: Option<Duration>,
    /// Largest Hyperscan database of one view, in bytes (`None`: no limit).
    pub max_database_bytes: Option<usize>,
}

/// One reported match of a rule in one text.
#[derive(Clone, Debug, PartialEq)]
pub struct Finding {
    /// Index of the text in the input.
    pub row: u32,
    /// Index of the rule in [`Ruleset::rules`].
    pub rule: u32,
    /// The view the match was found in.
    pub view: View,
    /// Character (code point) offsets into the original text.
    pub start: u32,
    /// End character offset (exclusive).
    pub end: u32,
    /// The original text of the match (the evidence).
    pub matched: String,
    /// Index of the term (or, after the terms, the pattern) of the rule that matched.
    pub source: u32,
    /// The match with up to `context_chars` characters either side (empty without context).
    pub context: String,
    /// Character offset of the match within `context`.
    pub context_start: u32,
}

/// What `explain` reports for one candidate match.
#[derive(Clone, Debug)]
pub struct Explained {
    /// Rule index.
    pub rule: u32,
    /// View the term was compiled for.
    pub view: View,
    /// The term or pattern as written in the ruleset.
    pub term: String,
    /// Character offsets into the text.
    pub start: u32,
    /// End character offset.
    pub end: u32,
    /// What happened to it.
    pub outcome: Outcome,
    /// The term responsible for a veto or an allow, as written in the ruleset.
    pub because: Option<String>,
}

/// The outcome of scanning a column of texts.
#[derive(Debug, Default)]
pub struct ScanOutput {
    /// Findings, ordered by row, then position, then rule.
    pub findings: Vec<Finding>,
    /// Rows that were null.
    pub null_rows: usize,
    /// Rows that were not valid UTF-8 (scanned after replacing bad bytes with U+FFFD).
    pub invalid_utf8_rows: usize,
    /// Bytes of text scanned.
    pub bytes: usize,
}

/// A source of texts to scan, read by many threads at once.
pub trait TextSource: Sync {
    /// Number of rows.
    fn len(&self) -> usize;
    /// Whether there are no rows.
    fn is_empty(&self) -> bool {
        self.len() == 0
    }
    /// Raw bytes of row `i`, or `None` for a null.
    fn bytes(&self, i: usize) -> Option<&[u8]>;
}

macro_rules! text_source_for_slices {
    ($($t:ty => |$v:ident| $bytes:expr),* $(,)?) => {$(
        impl TextSource for [$t] {
            fn len(&self) -> usize {
                <[$t]>::len(self)
            }
            fn bytes(&self, i: usize) -> Option<&[u8]> {
                let $v = &self[i];
                $bytes
            }
        }
    )*};
}

text_source_for_slices! {
    String => |s| Some(s.as_bytes()),
    &str => |s| Some(s.as_bytes()),
    Option<String> => |s| s.as_deref().map(str::as_bytes),
    Option<&str> => |s| s.map(str::as_bytes),
}

/// What a compiled term or pattern stands for.
#[derive(Clone, Copy, Debug)]
struct Entry {
    rule: u32,
    role: Role,
    view: View,
    source: u32,
    word: bool,
}

#[derive(Clone)]
enum Compiled {
    Literal(String),
    Regex(HsPattern),
}

/// The literal matcher for one set of views whose texts are equal in a post. Literal automata
/// are cheap to build, so equal views share one scan; Hyperscan databases are not (a single
/// bounded-repeat UCP pattern can take most of a second), so each view keeps its own.
struct Group {
    literal: Option<LiteralMatcher>,
    literal_entries: Vec<Vec<u32>>,
}

/// One view's Hyperscan database: its patterns (and its terms with the Hyperscan backend).
struct Database {
    matcher: HyperscanMatcher,
    entries: Vec<Vec<u32>>,
}

/// Per-thread working memory, reused across posts and scanners.
#[derive(Default)]
struct Workspace {
    views: ViewTexts,
    raw: Vec<RawMatch>,
    /// Hits of one post with offsets into the view they were matched in, and that view.
    hits: Vec<(Hit, View)>,
    resolved: Vec<Hit>,
    hs: HsScratch,
    batch: Batch,
}

/// The views of a batch of texts laid end to end, and their hits.
#[derive(Default)]
struct Batch {
    /// Per view: the texts, one after the other.
    texts: [String; 4],
    /// Per view: where each text ends.
    ends: [Vec<u32>; 4],
    /// Per text: whether it was laid out as it is for the exact and casefold views.
    itself: Vec<bool>,
    /// (text, view scanned, hit at byte offsets into that view's text).
    hits: Vec<(u32, View, Hit)>,
}

thread_local! {
    static WORKSPACE: RefCell<Workspace> = RefCell::new(Workspace::default());
}

/// Fault injection for tests of the error path: when this environment variable is set (and
/// not empty), scanning a row that contains its value panics. Read once per process.
pub const FAULT_INJECTION_ENV: &str = "CONDUCT_SCAN_FAULT_PANIC_ON";

fn fault_injection_marker() -> Option<&'static str> {
    static MARKER: OnceLock<Option<String>> = OnceLock::new();
    MARKER
        .get_or_init(|| std::env::var(FAULT_INJECTION_ENV).ok().filter(|m| !m.is_empty()))
        .as_deref()
}

/// Above this many terms in one view, terms go through aho-corasick whatever the backend
/// asked for: Hyperscan's compile time and memory grow too fast (measured with
/// `benchmarks/million_terms.py`: 200,000 terms 24 s and 650 MB; 1,000,000 terms still not done
/// after 60 s and 2.4 GB), while aho-corasick builds a million in 5 s and 760 MB.
pub const MAX_HYPERSCAN_LITERALS: usize = 100_000;

/// Compile limits of one [`Scanner::new`].
struct Limits {
    deadline: Option<Instant>,
    time: Option<Duration>,
    bytes: Option<usize>,
}

/// Row `row` of `texts` as text, counted in `out`: `None` for a null; invalid UTF-8 never
/// reaches Hyperscan: it is replaced and counted.
fn decode_row<'t>(
    texts: &'t (impl TextSource + ?Sized),
    row: usize,
    out: &mut ScanOutput,
) -> Option<std::borrow::Cow<'t, str>> {
    let Some(bytes) = texts.bytes(row) else {
        out.null_rows += 1;
        return None;
    };
    out.bytes += bytes.len();
    Some(match simdutf8::basic::from_utf8(bytes) {
        Ok(text) => std::borrow::Cow::Borrowed(text),
        Err(_) => {
            out.invalid_utf8_rows += 1;
            String::from_utf8_lossy(bytes)
        }
    })
}

/// Rows per parallel task: enough work to amortise scheduling, small enough to balance.
const ROWS_PER_TASK: usize = 256;

/// Bytes of text scanned per Hyperscan call (texts laid end to end), at least one text.
const BATCH_BYTES: usize = 64 * 1024;

/// Texts longer than this are scanned in windows ([`Scanner::scan_long`]).
const LONG_TEXT_BYTES: usize = 2 * WINDOW_BYTES;
/// Bytes of a long text per window.
const WINDOW_BYTES: usize = 1 << 20;
/// Bytes by which windows overlap: the longest match found whole across a cut.
const WINDOW_OVERLAP: usize = 4096;

/// The three databases of a view, by the role of their terms and patterns.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Part {
    /// The rules' own terms and patterns, scanned in every post.
    Hits,
    /// Allow, unless, near and compound terms and the global allow-list: in posts with a hit.
    Context,
    /// Informal-register cues: in posts with a hit of a rule that has them, read as prose.
    Informal,
}

impl Part {
    fn of(role: Role) -> Part {
        match role {
            Role::Hit => Part::Hits,
            Role::Informal | Role::InformalCompound => Part::Informal,
            _ => Part::Context,
        }
    }
}

/// Where a batch's hits go: verified into findings, or located in the texts for the caller.
enum Sink<'a> {
    Findings(&'a mut Vec<Finding>),
    Located(&'a mut Vec<(u32, Hit)>),
}

/// A compiled ruleset.
pub struct Scanner {
    ruleset: Arc<Ruleset>,
    entries: Vec<Entry>,
    by_view: [Vec<(Compiled, u32)>; 4],
    /// Views any rule needs, and the views of the allow-list.
    needed: ViewSet,
    /// Literal matchers per set of views (index: `ViewSet::bits`), built on first use; `None`
    /// when that set could not be built together, in which case its views are matched one by one.
    groups: [OnceLock<Option<Group>>; 16],
    /// Hyperscan database per view (index: `View as usize`) of the rules' own terms and
    /// patterns ([`Role::Hit`]).
    databases: [Option<Database>; 4],
    /// Hyperscan database per view of the terms and patterns that only matter in a post where a
    /// rule was hit (allow, unless, near, compounds, the global allow-list). They include very
    /// common words (`à`, `the`, `is`), which made up more than 90% of all matches on real text;
    /// [`Scanner::scan_batch`] scans them only in the posts with a hit.
    context_databases: [Option<Database>; 4],
    /// Hyperscan database per view of the rules' informal-register cues ([`Role::Informal`]):
    /// particles and punctuation so common that they gave 61% of the context matches on real
    /// text. They only decide whether a rule with `informal` fires in a post that reads as
    /// edited prose, so [`Scanner::scan_batch`] scans them only in the posts with a hit of
    /// such a rule that pass [`is_edited_prose`].
    informal_databases: [Option<Database>; 4],
    conditions: Vec<Conditions>,
    threads: usize,
    backend: LiteralBackend,
    context_chars: usize,
    cache_dir: Option<std::path::PathBuf>,
    /// Thread pool and the process that built it: a forked child has none of the parent's
    /// threads, so it builds its own.
    pool: Mutex<Option<(u32, Arc<rayon::ThreadPool>)>>,
}

impl Scanner {
    /// Compiles `ruleset`. Fails with [`Error::Ruleset`] naming every rule whose patterns
    /// Hyperscan rejects.
    pub fn new(ruleset: Arc<Ruleset>, options: ScanOptions) -> Result<Scanner> {
        let threads = options
            .threads
            .unwrap_or_else(|| std::thread::available_parallelism().map_or(1, |n| n.get()))
            .max(1);
        let mut scanner = Scanner {
            entries: Vec::new(),
            by_view: Default::default(),
            needed: ViewSet::EMPTY,
            groups: Default::default(),
            databases: Default::default(),
            context_databases: Default::default(),
            informal_databases: Default::default(),
            conditions: Vec::new(),
            threads,
            backend: options.literal_backend,
            context_chars: options.context_chars,
            cache_dir: options.cache_dir.clone(),
            pool: Mutex::new(None),
            ruleset: ruleset.clone(),
        };
        for (index, rule) in ruleset.rules.iter().enumerate() {
            scanner.add_rule(index as u32, rule);
        }
        let needed = scanner.needed;
        for (i, term) in ruleset.allow.iter().enumerate() {
            for view in needed.iter() {
                let entry = Entry {
                    rule: GLOBAL,
                    role: Role::Allow,
                    view,
                    source: i as u32,
                    word: true,
                };
                scanner.add(Compiled::Literal(normalise(view, term)), entry);
            }
        }
        let most_literals = scanner
            .by_view
            .iter()
            .map(|v| v.iter().filter(|(c, _)| matches!(c, Compiled::Literal(_))).count())
            .max()
            .unwrap_or(0);
        if most_literals > MAX_HYPERSCAN_LITERALS {
            scanner.backend = LiteralBackend::AhoCorasick;
        }
        // Compile each view's matchers now, so errors surface here and not mid-scan.
        let limits = Limits {
            deadline: options.max_compile_time.map(|limit| Instant::now() + limit),
            time: options.max_compile_time,
            bytes: options.max_database_bytes,
        };
        let mut problems = Vec::new();
        for view in needed.iter() {
            let mut out_of_time = false;
            for part in [Part::Hits, Part::Context, Part::Informal] {
                match scanner.compile_database(view, part, &limits) {
                    Ok(database) => match part {
                        Part::Hits => scanner.databases[view as usize] = database,
                        Part::Context => scanner.context_databases[view as usize] = database,
                        Part::Informal => scanner.informal_databases[view as usize] = database,
                    },
                    Err(mut p) => {
                        problems.append(&mut p);
                        out_of_time = limits.deadline.is_some_and(|deadline| Instant::now() >= deadline);
                        if out_of_time {
                            break;
                        }
                    }
                }
            }
            if out_of_time {
                break; // the other views would only repeat the news
            }
            match scanner.compile_group(ViewSet::of(view)) {
                Ok(group) => {
                    let _ = scanner.groups[ViewSet::of(view).bits()].set(Some(group));
                }
                Err(mut p) => problems.append(&mut p),
            }
        }
        if !problems.is_empty() {
            return Err(Error::Ruleset(problems));
        }
        Ok(scanner)
    }

    /// The ruleset this scanner was compiled from.
    pub fn ruleset(&self) -> &Arc<Ruleset> {
        &self.ruleset
    }

    /// Number of worker threads.
    pub fn threads(&self) -> usize {
        self.threads
    }

    /// The views the ruleset matches in.
    pub fn views(&self) -> ViewSet {
        self.needed
    }

    /// Characters of context kept either side of each match.
    pub fn context_chars(&self) -> usize {
        self.context_chars
    }

    fn add(&mut self, compiled: Compiled, entry: Entry) {
        let id = self.entries.len() as u32;
        self.entries.push(entry);
        self.needed.insert(entry.view);
        self.by_view[entry.view as usize].push((compiled, id));
    }

    fn add_rule(&mut self, index: u32, rule: &Rule) {
        self.conditions.push(Conditions {
            near_within: rule.near.as_ref().map(|n| n.within),
            min_count: rule.min_count,
            compound_terms: rule.compounds.iter().map(|c| c.term).collect(),
            name_terms: rule.name_terms.clone(),
            informal_only: rule.informal.is_some(),
            informal_compound_terms: rule.informal_compounds.iter().map(|c| c.term).collect(),
        });
        let word = rule.match_mode == MatchMode::Word;
        let empty = Vec::new();
        let (near_terms, near_patterns) = match &rule.near {
            Some(near) => (&near.terms, &near.patterns),
            None => (&empty, &empty),
        };
        let (informal_terms, informal_patterns) = rule
            .informal
            .as_ref()
            .map_or((&empty, &empty), |c| (&c.terms, &c.patterns));
        let lists = [
            (Role::Hit, &rule.terms, &rule.patterns),
            (Role::Allow, &rule.allow.terms, &rule.allow.patterns),
            (Role::Unless, &rule.unless.terms, &rule.unless.patterns),
            (Role::Near, near_terms, near_patterns),
            (Role::Informal, informal_terms, informal_patterns),
        ];
        for &view in &rule.views {
            for (role, terms, patterns) in lists {
                for (i, term) in terms.iter().enumerate() {
                    let entry = Entry {
                        rule: index,
                        role,
                        view,
                        source: i as u32,
                        word,
                    };
                    self.add(Compiled::Literal(normalise(view, term)), entry);
                }
                for (j, pattern) in patterns.iter().enumerate() {
                    let entry = Entry {
                        rule: index,
                        role,
                        view,
                        source: (terms.len() + j) as u32,
                        word,
                    };
                    let regex = HsPattern::regex(&normalise_pattern(view, pattern), view != View::Exact);
                    self.add(Compiled::Regex(regex), entry);
                }
            }
            let compounds = [
                (Role::Compound, &rule.compounds),
                (Role::InformalCompound, &rule.informal_compounds),
            ];
            for (role, compounds) in compounds {
                for (i, compound) in compounds.iter().enumerate() {
                    let entry = Entry {
                        rule: index,
                        role,
                        view,
                        source: i as u32,
                        word: true,
                    };
                    self.add(Compiled::Literal(normalise(view, &compound.text)), entry);
                }
            }
        }
    }

    /// Builds the literal matcher for a set of views (aho-corasick backend).
    fn compile_group(&self, views: ViewSet) -> Result<Group, Vec<Problem>> {
        let mut literals: Vec<String> = Vec::new();
        let mut literal_entries: Vec<Vec<u32>> = Vec::new();
        let mut index: HashMap<&str, usize> = HashMap::new();
        if self.backend == LiteralBackend::AhoCorasick {
            for view in views.iter() {
                for (compiled, id) in &self.by_view[view as usize] {
                    if let Compiled::Literal(text) = compiled {
                        let slot = *index.entry(text.as_str()).or_insert_with(|| {
                            literals.push(text.clone());
                            literal_entries.push(Vec::new());
                            literals.len() - 1
                        });
                        literal_entries[slot].push(*id);
                    }
                }
            }
        }
        let literal = if literals.is_empty() {
            None
        } else {
            let refs: Vec<&str> = literals.iter().map(String::as_str).collect();
            Some(LiteralMatcher::from_literals(&refs).map_err(|e| vec![self.problem(None, e.to_string())])?)
        };
        Ok(Group {
            literal,
            literal_entries,
        })
    }

    /// Builds one view's Hyperscan database of the terms and patterns of one [`Part`]; on
    /// failure, names every pattern at fault.
    fn compile_database(&self, view: View, part: Part, limits: &Limits) -> Result<Option<Database>, Vec<Problem>> {
        let mut patterns: Vec<HsPattern> = Vec::new();
        let mut entries: Vec<Vec<u32>> = Vec::new();
        let mut index: HashMap<HsPattern, usize> = HashMap::new();
        for (compiled, id) in &self.by_view[view as usize] {
            if Part::of(self.entries[*id as usize].role) != part {
                continue;
            }
            let pattern = match compiled {
                Compiled::Literal(_) if self.backend == LiteralBackend::AhoCorasick => continue,
                // Caseless, so that text that is a case variant of its casefold view can be
                // scanned as it is (`normalise::is_view_of_itself`).
                Compiled::Literal(text) if view == View::Casefold => HsPattern::literal_caseless(text),
                Compiled::Literal(text) => HsPattern::literal(text),
                Compiled::Regex(regex) => regex.clone(),
            };
            let slot = *index.entry(pattern.clone()).or_insert_with(|| {
                patterns.push(pattern);
                entries.push(Vec::new());
                patterns.len() - 1
            });
            entries[slot].push(*id);
        }
        if patterns.is_empty() {
            return Ok(None);
        }
        match HyperscanMatcher::compile_until(&patterns, self.cache_dir.as_deref(), limits.deadline) {
            Ok(matcher) => {
                let size = matcher.database_size();
                match limits.bytes {
                    Some(max) if size > max => Err(vec![self.too_large(&entries, view, size, max)]),
                    _ => Ok(Some(Database { matcher, entries })),
                }
            }
            Err(error) if error.timed_out => Err(vec![self.explain_timeout(&patterns, &entries, view, limits)]),
            Err(error) => Err(self.explain_compile_failure(&patterns, &entries, ViewSet::of(view), error)),
        }
    }

    /// The rule that contributes most patterns and terms to `entries`, and how many.
    fn largest_rule(&self, entries: &[Vec<u32>]) -> Option<(u32, usize)> {
        let mut counts: HashMap<u32, usize> = HashMap::new();
        for ids in entries {
            for &id in ids {
                *counts.entry(self.entries[id as usize].rule).or_default() += 1;
            }
        }
        counts.into_iter().max_by_key(|&(rule, n)| (n, std::cmp::Reverse(rule)))
    }

    /// A problem about a whole view's database, attributed to the rule with most entries in it.
    fn blame_largest(&self, entries: &[Vec<u32>], reason: String) -> Problem {
        match self.largest_rule(entries) {
            Some((rule, n)) if (rule as usize) < self.ruleset.rules.len() => {
                let rule = &self.ruleset.rules[rule as usize];
                Problem {
                    file: rule.file.clone(),
                    item: Some(format!("rule {}", rule.id)),
                    reason: format!("{reason}; this rule has the most of them ({n})"),
                }
            }
            _ => self.problem(None, reason),
        }
    }

    fn too_large(&self, entries: &[Vec<u32>], view: View, size: usize, max: usize) -> Problem {
        let mb = |bytes: usize| bytes as f64 / (1 << 20) as f64;
        self.blame_largest(
            entries,
            format!(
                "the Hyperscan database of view `{view}` ({} patterns and terms) takes {:.1} MB, above the \
                 limit of {:.1} MB",
                entries.len(),
                mb(size),
                mb(max)
            ),
        )
    }

    /// Compiling a view took longer than the limit: find the rule to blame. Each regular
    /// expression is compiled alone, in order, within the same limit again: one that does not
    /// finish is the culprit; if all do, the set is too large together and the rule with most
    /// patterns and terms is named.
    fn explain_timeout(&self, patterns: &[HsPattern], entries: &[Vec<u32>], view: View, limits: &Limits) -> Problem {
        let limit = limits.time.unwrap_or_default();
        let seconds = limit.as_secs_f64();
        let regexes: Vec<(usize, HsPattern)> = patterns
            .iter()
            .enumerate()
            .filter(|(_, p)| p.literal_len.is_none())
            .map(|(i, p)| (i, p.clone()))
            .collect();
        let (sender, receiver) = std::sync::mpsc::channel();
        let order: Vec<usize> = regexes.iter().map(|(i, _)| *i).collect();
        let spawned = std::thread::Builder::new()
            .name("conduct-scan-compile".into())
            .spawn(move || {
                for (i, pattern) in regexes {
                    let _ = HyperscanMatcher::compile(std::slice::from_ref(&pattern));
                    if sender.send(i).is_err() {
                        return;
                    }
                }
            });
        if let Ok(thread) = spawned {
            let deadline = Instant::now() + limit;
            let mut all_done = true;
            for &i in &order {
                let left = deadline.saturating_duration_since(Instant::now());
                if receiver.recv_timeout(left).is_err() {
                    all_done = false;
                    let entry = self.entries[entries[i][0] as usize];
                    if let Some(rule) = self.ruleset.rules.get(entry.rule as usize) {
                        return Problem {
                            file: rule.file.clone(),
                            item: Some(format!("rule {}", rule.id)),
                            reason: format!(
                                "pattern {:?} in view `{view}` takes more than {seconds} s to compile \
                                 (--max-compile-seconds); simplify it (large bounded repeats such as \
                                 {{1,500}} are the usual cause)",
                                self.source_text(entry.rule, entry.role, entry.source)
                            ),
                        };
                    }
                    break;
                }
            }
            if all_done {
                let _ = thread.join(); // every pattern compiled: it is ending
            }
        }
        self.blame_largest(
            entries,
            format!(
                "the {} patterns and terms of view `{view}` do not compile within {seconds} s \
                 (--max-compile-seconds); raise the limit or split the ruleset",
                entries.len()
            ),
        )
    }

    fn problem(&self, item: Option<&str>, reason: String) -> Problem {
        let file = self
            .ruleset
            .files
            .first()
            .cloned()
            .unwrap_or_else(|| self.ruleset.id.clone());
        Problem {
            file,
            item: item.map(str::to_owned),
            reason,
        }
    }

    /// A database failed to compile: compile each pattern alone to name every bad one; if each
    /// compiles alone, the set is too large together.
    fn explain_compile_failure(
        &self,
        regexes: &[HsPattern],
        entries: &[Vec<u32>],
        views: ViewSet,
        error: CompileError,
    ) -> Vec<Problem> {
        let message = error.message;
        let mut problems = Vec::new();
        // Hyperscan names the expression at fault for most errors: no need to compile again
        // (a pattern that is too large can take tens of seconds to be refused).
        let suspects: Vec<usize> = match error.index {
            Some(i) if i < regexes.len() => vec![i],
            _ => (0..regexes.len()).collect(),
        };
        for i in suspects {
            let (pattern, ids) = (&regexes[i], &entries[i]);
            let alone = if error.index == Some(i) {
                Err(message.clone())
            } else {
                HyperscanMatcher::compile(std::slice::from_ref(pattern))
                    .map(drop)
                    .map_err(|e| e.message)
            };
            if let Err(e) = alone {
                let entry = self.entries[ids[0] as usize];
                let rule = &self.ruleset.rules[entry.rule as usize];
                problems.push(Problem {
                    file: rule.file.clone(),
                    item: Some(format!("rule {}", rule.id)),
                    reason: format!(
                        "pattern {:?} rejected by Hyperscan in view `{}`: {}",
                        pattern.expression, entry.view, e
                    ),
                });
            }
        }
        if problems.is_empty() {
            let names: Vec<&str> = views.iter().map(View::name).collect();
            problems.push(self.problem(
                None,
                format!(
                    "the {} patterns of view {} are too large for one Hyperscan database ({message}); \
                     simplify large bounded repeats such as {{1,500}} or split the rules",
                    regexes.len(),
                    names.join("+")
                ),
            ));
        }
        problems
    }

    /// Matchers for a set of views, compiled on first use.
    fn group(&self, views: ViewSet) -> Option<&Group> {
        self.groups[views.bits()]
            .get_or_init(|| self.compile_group(views).ok())
            .as_ref()
    }

    /// Scans one text; findings have row 0.
    pub fn scan_text(&self, text: &str) -> Result<Vec<Finding>> {
        let mut out = Vec::new();
        WORKSPACE.with(|ws| self.scan_one(text, 0, &mut ws.borrow_mut(), &mut out, None))?;
        Ok(out)
    }

    /// Every candidate match in `text` and what verification made of it.
    pub fn explain(&self, text: &str) -> Result<Vec<Explained>> {
        let mut trace = Vec::new();
        let mut out = Vec::new();
        WORKSPACE.with(|ws| self.scan_one(text, 0, &mut ws.borrow_mut(), &mut out, Some(&mut trace)))?;
        let to_char = |byte: u32| text[..byte as usize].chars().count() as u32;
        Ok(trace
            .into_iter()
            .map(|(hit, outcome)| {
                let because = match outcome {
                    Outcome::Vetoed { source } => Some(self.source_text(hit.rule, Role::Unless, source)),
                    Outcome::Allowed { rule, source } => Some(self.source_text(rule, Role::Allow, source)),
                    Outcome::InCompound { source } => Some(self.source_text(hit.rule, Role::Compound, source)),
                    Outcome::OtherLanguage { post } => Some(post.code().to_owned()),
                    _ => None,
                };
                Explained {
                    rule: hit.rule,
                    view: hit.view,
                    term: self.source_text(hit.rule, Role::Hit, hit.source),
                    start: to_char(hit.start),
                    end: to_char(hit.end),
                    outcome,
                    because,
                }
            })
            .collect())
    }

    /// The term or pattern, as written, behind a hit.
    pub fn source_text(&self, rule: u32, role: Role, source: u32) -> String {
        let i = source as usize;
        if rule == GLOBAL {
            return self.ruleset.allow[i].clone();
        }
        let rule = &self.ruleset.rules[rule as usize];
        let empty = Vec::new();
        let (terms, patterns) = match role {
            Role::Compound | Role::InformalCompound => {
                let compounds = if role == Role::Compound {
                    &rule.compounds
                } else {
                    &rule.informal_compounds
                };
                return compounds.get(i).map(|c| c.text.clone()).unwrap_or_default();
            }
            Role::Hit => (&rule.terms, &rule.patterns),
            Role::Allow => (&rule.allow.terms, &rule.allow.patterns),
            Role::Unless => (&rule.unless.terms, &rule.unless.patterns),
            Role::Near => rule.near.as_ref().map_or((&empty, &empty), |n| (&n.terms, &n.patterns)),
            Role::Informal => rule
                .informal
                .as_ref()
                .map_or((&empty, &empty), |c| (&c.terms, &c.patterns)),
        };
        terms
            .get(i)
            .or_else(|| patterns.get(i - terms.len()))
            .cloned()
            .unwrap_or_default()
    }

    /// Scans every row of `texts`, in parallel.
    pub fn scan(&self, texts: &(impl TextSource + ?Sized)) -> Result<ScanOutput> {
        let rows = texts.len();
        let tasks = rows.div_ceil(ROWS_PER_TASK);
        let run = |task: usize| -> Result<ScanOutput> {
            WORKSPACE.with(|ws| {
                let ws = &mut ws.borrow_mut();
                let mut out = ScanOutput::default();
                let rows = task * ROWS_PER_TASK..((task + 1) * ROWS_PER_TASK).min(rows);
                if self.backend == LiteralBackend::Hyperscan {
                    self.scan_rows(texts, rows, ws, &mut out)?;
                    return Ok(out);
                }
                for row in rows {
                    if let Some(text) = decode_row(texts, row, &mut out) {
                        self.scan_row(&text, row, ws, &mut out.findings)?;
                    }
                }
                Ok(out)
            })
        };
        let parts: Vec<ScanOutput> = match self.pool()? {
            Some(pool) if tasks > 1 => pool.install(|| (0..tasks).into_par_iter().map(run).collect::<Result<_>>())?,
            _ => (0..tasks).map(run).collect::<Result<_>>()?,
        };
        let mut total = ScanOutput::default();
        total.findings.reserve(parts.iter().map(|p| p.findings.len()).sum());
        for mut part in parts {
            total.findings.append(&mut part.findings);
            total.null_rows += part.null_rows;
            total.invalid_utf8_rows += part.invalid_utf8_rows;
            total.bytes += part.bytes;
        }
        Ok(total)
    }

    fn pool(&self) -> Result<Option<Arc<rayon::ThreadPool>>> {
        if self.threads <= 1 {
            return Ok(None);
        }
        let pid = std::process::id();
        let mut guard = self.pool.lock().unwrap_or_else(|e| e.into_inner());
        match guard.take() {
            Some((owner, pool)) if owner == pid => {
                *guard = Some((owner, pool.clone()));
                return Ok(Some(pool));
            }
            // Built by the parent of a fork: its threads do not exist here. Dropping it would
            // try to signal them, so it is leaked instead.
            Some(stale) => std::mem::forget(stale),
            None => {}
        }
        let pool = rayon::ThreadPoolBuilder::new()
            .num_threads(self.threads)
            .thread_name(|i| format!("conduct-scan-{i}"))
            .build()
            .map_err(|e| Error::Scan(format!("cannot start {} scanner threads: {e}", self.threads)))?;
        let pool = Arc::new(pool);
        *guard = Some((pid, pool.clone()));
        Ok(Some(pool))
    }

    /// Scans `rows` of `texts` with the Hyperscan databases, many texts per call: each view's
    /// texts are laid end to end and scanned once (see [`HyperscanMatcher::concatenable`]);
    /// texts that are their own exact view and a case variant of their casefold view are laid
    /// out as they are, without building those views.
    fn scan_rows(
        &self,
        texts: &(impl TextSource + ?Sized),
        rows: std::ops::Range<usize>,
        ws: &mut Workspace,
        out: &mut ScanOutput,
    ) -> Result<()> {
        let mut posts: Vec<(u32, std::borrow::Cow<'_, str>)> = Vec::with_capacity(rows.len());
        for row in rows {
            let Some(text) = decode_row(texts, row, out) else {
                continue;
            };
            if !text.is_empty() {
                posts.push((row as u32, text));
            }
        }
        if self.needed.is_empty() {
            return Ok(());
        }
        let mut start = 0;
        while start < posts.len() {
            // Batches of about BATCH_BYTES, so that the laid-out views stay in cache.
            let mut end = start;
            let mut bytes = 0;
            while end < posts.len() && (end == start || bytes + posts[end].1.len() <= BATCH_BYTES) {
                bytes += posts[end].1.len();
                end += 1;
            }
            if posts[start].1.len() > LONG_TEXT_BYTES {
                let (row, text) = &posts[start];
                self.scan_long(*row, text, ws, &mut out.findings)?;
                start += 1;
                continue;
            }
            self.scan_batch_guarded(&posts[start..end], ws, &mut out.findings)?;
            start = end;
        }
        Ok(())
    }

    /// Scans a text too long to lay out whole in overlapping windows, so that its views and
    /// offset maps take memory in proportion to a window, not to the text. Windows are cut
    /// after a line break (else a space) and overlap by [`WINDOW_OVERLAP`] bytes; a hit is
    /// taken from the window it starts in before the next window begins, so a match of up to
    /// that length across a cut is found whole. The hits of all windows are then verified
    /// together, as for any text (`unless`, `near` and `min_count` see the whole text).
    fn scan_long(&self, row: u32, text: &str, ws: &mut Workspace, out: &mut Vec<Finding>) -> Result<()> {
        let bytes = text.as_bytes();
        let floor = |mut i: usize| {
            while !text.is_char_boundary(i) {
                i -= 1;
            }
            i
        };
        let mut all: Vec<Hit> = Vec::new();
        let mut located: Vec<(u32, Hit)> = Vec::new();
        let mut start = 0;
        while start < text.len() {
            let next = if start + WINDOW_BYTES >= text.len() {
                text.len()
            } else {
                let from = start + WINDOW_BYTES / 2;
                let region = &bytes[from..start + WINDOW_BYTES];
                region
                    .iter()
                    .rposition(|&b| b == b'\n')
                    .or_else(|| region.iter().rposition(|&b| b == b' '))
                    .map_or_else(|| floor(start + WINDOW_BYTES), |i| from + i + 1)
            };
            let end = if next == text.len() {
                next
            } else {
                floor((next + WINDOW_OVERLAP).min(text.len()))
            };
            let window = [(0, std::borrow::Cow::Borrowed(&text[start..end]))];
            located.clear();
            self.scan_batch(&window, ws, Sink::Located(&mut located))?;
            for (_, hit) in &located {
                let hit = Hit {
                    start: hit.start + start as u32,
                    end: hit.end + start as u32,
                    ..*hit
                };
                if next == text.len() || (hit.start as usize) < next {
                    all.push(hit);
                }
            }
            start = next;
        }
        if all.iter().any(|h| h.role == Role::Hit) {
            self.emit(text, row, &mut all, out, None);
        }
        Ok(())
    }

    fn scan_batch(
        &self,
        posts: &[(u32, std::borrow::Cow<'_, str>)],
        ws: &mut Workspace,
        mut sink: Sink<'_>,
    ) -> Result<()> {
        let Workspace {
            views,
            raw,
            resolved,
            hs,
            batch,
            ..
        } = ws;
        let scanned: ViewSet = View::ALL
            .into_iter()
            .filter(|&v| {
                self.databases[v as usize].is_some()
                    || self.context_databases[v as usize].is_some()
                    || self.informal_databases[v as usize].is_some()
            })
            .collect();
        for v in View::ALL {
            batch.texts[v as usize].clear();
            batch.ends[v as usize].clear();
        }
        batch.itself.clear();
        batch.hits.clear();
        for (_, text) in posts {
            let itself = views.build_for_scan(text, scanned);
            batch.itself.push(itself);
            for v in scanned.iter() {
                let piece = if itself && v <= View::Casefold {
                    text
                } else {
                    views.text(v)
                };
                let laid = &mut batch.texts[v as usize];
                laid.push_str(piece);
                let end = u32::try_from(laid.len())
                    .map_err(|_| Error::Input(format!("text of {} bytes is too long to scan", laid.len())))?;
                batch.ends[v as usize].push(end);
            }
        }
        for v in scanned.iter() {
            if let Some(database) = &self.databases[v as usize] {
                let (laid, ends) = (&batch.texts[v as usize], &batch.ends[v as usize]);
                self.batch_hits(database, v, laid, ends, 0, hs, raw, &mut batch.hits)?;
            }
        }
        // The context terms, only in the posts where a rule was hit (every post of a window
        // of a long text: its other windows may hold the hits).
        let everywhere = matches!(sink, Sink::Located(_));
        let mut hit_posts: Vec<u32> = Vec::new();
        if !everywhere {
            hit_posts.extend(
                batch
                    .hits
                    .iter()
                    .filter(|(.., h)| h.role == Role::Hit)
                    .map(|(p, ..)| *p),
            );
            hit_posts.dedup(); // hits come in order of posts within each view
            hit_posts.sort_unstable();
            hit_posts.dedup();
        }
        // The informal cues, only where they can change the outcome: a rule with `informal`
        // was hit and the post reads as edited prose (else the rule fires without them).
        let mut informal_posts: Vec<u32> = Vec::new();
        if !everywhere && self.informal_databases.iter().any(Option::is_some) {
            informal_posts.extend(
                batch
                    .hits
                    .iter()
                    .filter(|(.., h)| h.role == Role::Hit && self.conditions[h.rule as usize].informal_only)
                    .map(|(p, ..)| *p),
            );
            informal_posts.sort_unstable();
            informal_posts.dedup();
            informal_posts.retain(|&p| is_edited_prose(&posts[p as usize].1));
        }
        for (databases, targets) in [
            (&self.context_databases, &hit_posts),
            (&self.informal_databases, &informal_posts),
        ] {
            for v in scanned.iter() {
                let Some(database) = &databases[v as usize] else {
                    continue;
                };
                let (laid, ends) = (&batch.texts[v as usize], &batch.ends[v as usize]);
                if everywhere {
                    self.batch_hits(database, v, laid, ends, 0, hs, raw, &mut batch.hits)?;
                    continue;
                }
                for &p in targets {
                    let from = if p == 0 { 0 } else { ends[p as usize - 1] };
                    let text = &laid[from as usize..ends[p as usize] as usize];
                    self.batch_hits(database, v, text, &[text.len() as u32], p, hs, raw, &mut batch.hits)?;
                }
            }
        }
        // Verify, post by post, the posts where a rule term was hit.
        batch.hits.sort_by_key(|(p, ..)| *p);
        let mut k = 0;
        let hits = &batch.hits;
        while k < hits.len() {
            let p = hits[k].0;
            let end = k + hits[k..].partition_point(|h| h.0 == p);
            let post = &hits[k..end];
            k = end;
            if matches!(sink, Sink::Findings(_)) && !post.iter().any(|(_, _, hit)| hit.role == Role::Hit) {
                continue;
            }
            let (row, text) = &posts[p as usize];
            let itself = batch.itself[p as usize];
            let mut maps = false;
            resolved.clear();
            for &(_, v, hit) in post {
                if itself && v <= View::Casefold {
                    resolved.push(hit);
                    continue;
                }
                if !maps {
                    views.build(text, self.needed, true);
                    maps = true;
                }
                let (s, e) = views.to_original(v, hit.start as usize, hit.end as usize);
                resolved.push(Hit {
                    start: s as u32,
                    end: e as u32,
                    ..hit
                });
            }
            match &mut sink {
                Sink::Findings(out) => self.emit(text, *row, resolved, out, None),
                Sink::Located(located) => located.extend(resolved.iter().map(|h| (p, *h))),
            }
        }
        Ok(())
    }

    /// Scans texts laid end to end (`laid`, each ending at its entry of `ends`) with one view's
    /// database and appends their word-bounded hits, at byte offsets into each text, to `hits`
    /// as `(first + index of the text, view, hit)`.
    #[allow(clippy::too_many_arguments)]
    fn batch_hits(
        &self,
        database: &Database,
        v: View,
        laid: &str,
        ends: &[u32],
        first: u32,
        hs: &mut HsScratch,
        raw: &mut Vec<RawMatch>,
        hits: &mut Vec<(u32, View, Hit)>,
    ) -> Result<()> {
        raw.clear();
        if database.matcher.concatenable() {
            database.matcher.scan_ends(laid, hs, raw)?;
        } else {
            let mut from = 0;
            for &to in ends {
                let first = raw.len();
                database.matcher.scan_ends(&laid[from as usize..to as usize], hs, raw)?;
                for m in &mut raw[first..] {
                    m.end += from;
                }
                from = to;
            }
        }
        for m in raw.iter() {
            // The text the match ends in (its last byte).
            let p = ends.partition_point(|&e| e < m.end);
            let Some(&to) = ends.get(p) else { continue };
            let from = if p == 0 { 0 } else { ends[p - 1] };
            let text = &laid[from as usize..to as usize];
            let end = (m.end - from) as usize;
            let Some(start) = database.matcher.start_of(m.pattern, text, end) else {
                continue;
            };
            if start >= end {
                continue;
            }
            let post = first + p as u32;
            hits.extend(
                self.entry_hits(&database.entries[m.pattern as usize], text, start, end)
                    .map(|hit| (post, v, hit)),
            );
        }
        Ok(())
    }

    /// [`Self::scan_batch`] with a panic (a bug) caught: the batch's posts are then scanned one
    /// by one, each under its own guard ([`Self::scan_row`]), so that the error names the row.
    fn scan_batch_guarded(
        &self,
        posts: &[(u32, std::borrow::Cow<'_, str>)],
        ws: &mut Workspace,
        out: &mut Vec<Finding>,
    ) -> Result<()> {
        let kept = out.len();
        let scanned = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
            if let Some(marker) = fault_injection_marker() {
                if posts.iter().any(|(_, text)| text.contains(marker)) {
                    panic!("fault injection: a row contains {FAULT_INJECTION_ENV}");
                }
            }
            self.scan_batch(posts, ws, Sink::Findings(out))
        }));
        match scanned {
            Ok(result) => result,
            Err(_) => {
                // The workspace may be half-updated: start afresh, one post at a time.
                *ws = Workspace::default();
                out.truncate(kept);
                for (row, text) in posts {
                    self.scan_row(text, *row as usize, ws, out)?;
                }
                Ok(())
            }
        }
    }

    /// Scans one row of [`Scanner::scan`]. A panic (a bug) is caught here and becomes
    /// [`Error::Panic`] naming the row, instead of unwinding through the thread pool.
    fn scan_row(&self, text: &str, row: usize, ws: &mut Workspace, out: &mut Vec<Finding>) -> Result<()> {
        let kept = out.len();
        let scanned = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
            if let Some(marker) = fault_injection_marker() {
                if text.contains(marker) {
                    panic!("fault injection: the row contains {FAULT_INJECTION_ENV}");
                }
            }
            self.scan_one(text, row as u32, ws, out, None)
        }));
        scanned.unwrap_or_else(|payload| {
            // The workspace may be half-updated: start the next row afresh.
            *ws = Workspace::default();
            out.truncate(kept);
            Err(Error::Panic {
                row: Some(row),
                message: panic_message(payload.as_ref()),
            })
        })
    }

    fn scan_one(
        &self,
        text: &str,
        row: u32,
        ws: &mut Workspace,
        out: &mut Vec<Finding>,
        trace: Option<&mut Vec<(Hit, Outcome)>>,
    ) -> Result<()> {
        if text.is_empty() || self.needed.is_empty() {
            return Ok(());
        }
        ws.views.build(text, self.needed, false);
        ws.hits.clear();
        let mut views = [View::Exact; 4];
        let mut count = 0;
        for view in self.needed.iter() {
            views[count] = view;
            count += 1;
        }
        let views = &views[..count];
        let mut i = 0;
        while i < views.len() {
            let representative = views[i];
            let mut set = ViewSet::of(representative);
            let mut j = i + 1;
            while j < views.len() && ws.views.text(views[j]) == ws.views.text(representative) {
                set.insert(views[j]);
                j += 1;
            }
            self.match_views(set, representative, ws)?;
            i = j;
        }
        if !ws.hits.iter().any(|(hit, ..)| hit.role == Role::Hit) {
            return Ok(());
        }
        // Something matched: locate the hits in the original text.
        ws.views.build(text, self.needed, true);
        ws.resolved.clear();
        for (hit, representative) in &ws.hits {
            let (s, e) = ws
                .views
                .to_original(*representative, hit.start as usize, hit.end as usize);
            ws.resolved.push(Hit {
                start: s as u32,
                end: e as u32,
                ..*hit
            });
        }
        self.emit(text, row, &mut ws.resolved, out, trace);
        Ok(())
    }

    /// Verifies the hits of one text (located in it) and appends its findings to `out`.
    fn emit(
        &self,
        text: &str,
        row: u32,
        resolved: &mut [Hit],
        out: &mut Vec<Finding>,
        trace: Option<&mut Vec<(Hit, Outcome)>>,
    ) {
        // Group by rule (global allow-list hits apply to every rule).
        resolved.sort_by_key(|h| (h.rule, h.role));
        let global_start = resolved.partition_point(|h| h.rule != GLOBAL);
        let (rule_hits, global) = resolved.split_at(global_start);
        let mut trace = trace;
        let mut found: Vec<(Hit, u32)> = Vec::new();
        let mut scratch: Vec<Hit> = Vec::new();
        // The post's language, guessed once, only if a rule with a `lang` tag was hit.
        let mut post_lang: Option<Lang> = None;
        let mut k = 0;
        while k < rule_hits.len() {
            let rule = rule_hits[k].rule;
            let end = k + rule_hits[k..].partition_point(|h| h.rule == rule);
            let hits = &rule_hits[k..end];
            k = end;
            if !hits.iter().any(|h| h.role == Role::Hit) {
                continue;
            }
            let rule_def = &self.ruleset.rules[rule as usize];
            if rule_def.lang.is_some() {
                let post = *post_lang.get_or_insert_with(|| lang::guess(text));
                if !rule_def.admits(post) {
                    silence_other_language(hits, post, trace.as_deref_mut());
                    continue;
                }
            }
            scratch.clear();
            scratch.extend_from_slice(hits);
            scratch.extend_from_slice(global);
            for hit in resolve_rule(text, &scratch, &self.conditions[rule as usize], trace.as_deref_mut()) {
                found.push((hit, rule));
            }
        }
        found.sort_by_key(|(h, rule)| (h.start, *rule, h.end));
        let ascii = text.is_ascii();
        let (mut byte, mut chars) = (0usize, 0u32);
        let mut to_char = |target: u32| -> u32 {
            if ascii {
                return target;
            }
            let target = target as usize;
            // Findings come by start, and an end may lie past the next start: step back from
            // the last offset rather than from the text's beginning (long texts).
            if target < byte {
                chars -= text[target..byte].chars().count() as u32;
            } else {
                chars += text[byte..target].chars().count() as u32;
            }
            byte = target;
            chars
        };
        for (hit, rule) in found {
            let (start, end) = (to_char(hit.start), to_char(hit.end));
            let (context, context_start) = self.context(text, hit.start as usize, hit.end as usize);
            out.push(Finding {
                row,
                rule,
                view: hit.view,
                start,
                end,
                matched: text[hit.start as usize..hit.end as usize].to_owned(),
                source: hit.source,
                context,
                context_start,
            });
        }
    }

    /// The match at bytes `start..end` with `context_chars` characters either side, and the
    /// match's character offset within it.
    fn context(&self, text: &str, start: usize, end: usize) -> (String, u32) {
        if self.context_chars == 0 {
            return (String::new(), 0);
        }
        let before = text[..start].char_indices().rev().take(self.context_chars);
        let (from, taken) = before.fold((start, 0u32), |(_, n), (i, _)| (i, n + 1));
        let to = text[end..]
            .char_indices()
            .nth(self.context_chars)
            .map_or(text.len(), |(i, _)| end + i);
        (text[from..to].to_owned(), taken)
    }

    /// Matches the text shared by `views`, recording word-bounded hits.
    fn match_views(&self, views: ViewSet, representative: View, ws: &mut Workspace) -> Result<()> {
        let Some(group) = self.group(views) else {
            // Could not build these views' literals together: match them one at a time.
            for view in views.iter() {
                self.match_views(ViewSet::of(view), representative, ws)?;
            }
            return Ok(());
        };
        let Workspace {
            views: texts,
            raw,
            hits,
            hs,
            ..
        } = ws;
        let text = texts.text(representative);
        if let Some(literal) = &group.literal {
            raw.clear();
            literal.find_all(text, &mut (), raw)?;
            self.record(text, raw, &group.literal_entries, representative, hits);
        }
        for view in views.iter() {
            let databases = [
                &self.databases[view as usize],
                &self.context_databases[view as usize],
                &self.informal_databases[view as usize],
            ];
            for database in databases.into_iter().flatten() {
                raw.clear();
                database.matcher.find_all(text, hs, raw)?;
                self.record(text, raw, &database.entries, representative, hits);
            }
        }
        Ok(())
    }

    /// Turns raw matches into hits, keeping whole words where the rule wants them.
    fn record(
        &self,
        text: &str,
        raw: &[RawMatch],
        entries: &[Vec<u32>],
        representative: View,
        hits: &mut Vec<(Hit, View)>,
    ) {
        for m in raw {
            if m.start >= m.end {
                continue;
            }
            let hits_of_match = self.entry_hits(&entries[m.pattern as usize], text, m.start as usize, m.end as usize);
            hits.extend(hits_of_match.map(|hit| (hit, representative)));
        }
    }

    /// The hits one match at `start..end` of `text` gives: one per entry `ids` of its term or
    /// pattern, leaving out the entries matched as whole words where the match is not one (the
    /// word boundary is checked at most once per match). Offsets are those of `text`.
    fn entry_hits<'a>(
        &'a self,
        ids: &'a [u32],
        text: &'a str,
        start: usize,
        end: usize,
    ) -> impl Iterator<Item = Hit> + 'a {
        let mut bounded: Option<bool> = None;
        ids.iter()
            .map(|&id| self.entries[id as usize])
            .filter(move |entry| !entry.word || *bounded.get_or_insert_with(|| is_word_bounded(text, start, end)))
            .map(move |entry| Hit {
                rule: entry.rule,
                role: entry.role,
                view: entry.view,
                source: entry.source,
                start: start as u32,
                end: end as u32,
            })
    }
}
