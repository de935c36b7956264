//! Regular expressions (and, optionally, literals) through Hyperscan block-mode databases.

use std::ffi::{CStr, CString};
use std::os::raw::{c_int, c_uint, c_ulonglong, c_void};
use std::path::Path;
use std::ptr;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::mpsc;
use std::time::{Duration, Instant};

use sha2::{Digest, Sha256};

use super::hyperscan_ffi as ffi;
use super::{Matcher, RawMatch};
use crate::error::{Error, Result};

/// One expression and its Hyperscan flags.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct HsPattern {
    /// The expression, PCRE syntax as Hyperscan accepts it.
    pub expression: String,
    /// `HS_FLAG_*` bits.
    pub flags: u32,
    /// For an escaped literal, its length in bytes (a match starts that far before its end).
    pub literal_len: Option<usize>,
}

impl HsPattern {
    /// A regular expression matched on UTF-8 text with Unicode classes.
    pub fn regex(expression: &str, caseless: bool) -> Self {
        let mut flags = ffi::HS_FLAG_UTF8 | ffi::HS_FLAG_UCP;
        if caseless {
            flags |= ffi::HS_FLAG_CASELESS;
        }
        HsPattern {
            expression: expression.to_owned(),
            flags,
            literal_len: None,
        }
    }

    /// A literal string, escaped so that every byte matches itself.
    pub fn literal(text: &str) -> Self {
        let mut expression = String::with_capacity(text.len() * 2);
        for c in text.chars() {
            if c.is_ascii_alphanumeric() || !c.is_ascii() {
                expression.push(c);
            } else {
                expression.push_str(&format!("\\x{:02x}", c as u32));
            }
        }
        HsPattern {
            expression,
            flags: ffi::HS_FLAG_UTF8,
            literal_len: Some(text.len()),
        }
    }

    /// [`HsPattern::literal`], matched without regard to case (Unicode simple case folding).
    pub fn literal_caseless(text: &str) -> Self {
        let mut pattern = HsPattern::literal(text);
        pattern.flags |= ffi::HS_FLAG_UCP | ffi::HS_FLAG_CASELESS;
        pattern
    }

    /// Whether the pattern may match differently inside a longer text than in the text alone:
    /// anchors and word-boundary assertions look at the text's edges. Such patterns are scanned
    /// one text at a time; every other one can be scanned over many texts laid end to end.
    fn looks_at_edges(&self) -> bool {
        if self.literal_len.is_some() {
            return false;
        }
        let chars: Vec<char> = self.expression.chars().collect();
        let mut i = 0;
        let mut in_class = false;
        while i < chars.len() {
            match chars[i] {
                '\\' => {
                    if !in_class && matches!(chars.get(i + 1), Some('A' | 'z' | 'Z' | 'b' | 'B' | 'G')) {
                        return true;
                    }
                    i += 2;
                    continue;
                }
                '[' if !in_class => {
                    in_class = true;
                    // `[]` and `[^]` open with a literal `]`.
                    if chars.get(i + 1) == Some(&'^') {
                        i += 1;
                    }
                    if chars.get(i + 1) == Some(&']') {
                        i += 1;
                    }
                }
                ']' if in_class => in_class = false,
                '^' | '$' if !in_class => return true,
                _ => {}
            }
            i += 1;
        }
        false
    }

    fn is_caseless(&self) -> bool {
        self.flags & ffi::HS_FLAG_CASELESS != 0
    }
}

/// How to find where a match starts, given where Hyperscan says it ends.
///
/// Hyperscan reports only end offsets unless compiled with `HS_FLAG_SOM_LEFTMOST`, which slows
/// scanning and makes ordinary patterns such as `txt\s+\w+\s+to\s+\d{5}` fail with "Pattern is
/// too large" in UCP mode. Matches are rare, so the start is recovered after the fact: a literal
/// starts its length before its end; a regex starts where the leftmost match of `(?:P)\z` in
/// the text up to the end begins (the `regex` crate, same syntax for the constructs Hyperscan
/// supports).
enum StartFinder {
    Literal(usize),
    Regex(regex::Regex),
}

impl StartFinder {
    fn new(pattern: &HsPattern) -> Result<Self, String> {
        if let Some(len) = pattern.literal_len {
            return Ok(StartFinder::Literal(len));
        }
        let flags = if pattern.is_caseless() { "(?i)" } else { "" };
        regex::RegexBuilder::new(&format!("{flags}(?:{})\\z", pattern.expression))
            .size_limit(64 << 20)
            .build()
            .map(StartFinder::Regex)
            .map_err(|e| {
                let detail = e.to_string();
                let last = detail.lines().rev().find(|l| !l.trim().is_empty()).unwrap_or("").trim();
                format!("the start of a match cannot be located with this pattern ({last})")
            })
    }

    fn start(&self, haystack: &str, end: usize) -> Option<usize> {
        match self {
            StartFinder::Literal(len) => end.checked_sub(*len),
            StartFinder::Regex(regex) => haystack.get(..end).and_then(|h| regex.find(h)).map(|m| m.start()),
        }
    }
}

/// Hyperscan's own version string.
pub fn hyperscan_version() -> String {
    // SAFETY: hs_version returns a static NUL-terminated string.
    unsafe { CStr::from_ptr(ffi::hs_version()) }
        .to_string_lossy()
        .into_owned()
}

/// Time the loader gives Hyperscan to check the patterns of one ruleset, and one pattern.
///
/// `hs_expression_info` does most of a compile's work for heavy patterns (a large bounded
/// repeat of a Unicode class takes it tens of seconds), and the loader has no user limit to
/// obey. So each check runs on a thread of its own and a pattern that takes longer is not judged
/// here: compiling it, within `--max-compile-seconds`, will (and will name its rule).
#[derive(Clone, Debug)]
pub struct CheckBudget {
    left: Duration,
}

impl CheckBudget {
    /// All checks of one load together.
    pub const TOTAL: Duration = Duration::from_secs(5);
    /// One pattern.
    pub const PER_PATTERN: Duration = Duration::from_secs(1);
}

impl Default for CheckBudget {
    fn default() -> Self {
        CheckBudget { left: Self::TOTAL }
    }
}

/// Hyperscan's view of an expression: `Ok(min_width)`, `Err(message)`, or `None` when it did
/// not answer within `timeout` (the check goes on in the background and its answer is dropped).
fn expression_info(pattern: &HsPattern, timeout: Duration) -> Option<Result<u32, String>> {
    let Ok(expression) = CString::new(pattern.expression.as_str()) else {
        return Some(Err("pattern contains a NUL character".into()));
    };
    let flags = pattern.flags;
    let (sender, receiver) = mpsc::channel();
    let check = move || {
        let mut info: *mut ffi::hs_expr_info_t = ptr::null_mut();
        let mut error: *mut ffi::hs_compile_error_t = ptr::null_mut();
        // SAFETY: valid C string; out-pointers are owned here and freed below.
        let rc = unsafe { ffi::hs_expression_info(expression.as_ptr(), flags, &mut info, &mut error) };
        let mut min_width = 0;
        if !info.is_null() {
            // SAFETY: Hyperscan filled `info`; allocated with the default (malloc) allocator,
            // freed once.
            unsafe {
                min_width = (*info).min_width;
                libc::free(info.cast());
            }
        }
        let answer = if rc == ffi::HS_SUCCESS {
            Ok(min_width)
        } else {
            Err(take_compile_error(error).0)
        };
        let _ = sender.send(answer);
    };
    let Ok(thread) = std::thread::Builder::new()
        .name("conduct-scan-check".into())
        .spawn(check)
    else {
        return None;
    };
    let answer = receiver.recv_timeout(timeout).ok()?;
    // Answered in time: wait for the thread to end, so that no thread outlives the load unless
    // it had to (found by the `ruleset` fuzz target: LeakSanitizer saw the exiting thread's
    // thread-local storage).
    let _ = thread.join();
    Some(answer)
}

/// Why a pattern cannot be used, if it cannot: Hyperscan rejects it (parsing and support
/// checks, within `budget`), it matches the empty string or any single character (so every
/// position of every post), or the start of its matches cannot be located.
pub fn validate_pattern(pattern: &HsPattern, budget: &mut CheckBudget) -> Option<String> {
    if !budget.left.is_zero() {
        let started = Instant::now();
        let answer = expression_info(pattern, budget.left.min(CheckBudget::PER_PATTERN));
        budget.left = budget.left.saturating_sub(started.elapsed());
        match answer {
            Some(Err(message)) => return Some(message),
            Some(Ok(0)) => return Some("it matches the empty string, so it would match at every position".into()),
            Some(Ok(_)) | None => {}
        }
    }
    if let Err(reason) = StartFinder::new(pattern) {
        return Some(reason);
    }
    matches_any_character(pattern)
        .then(|| "it matches any single character, so it would match at every position".into())
}

/// Whether `pattern` matches at the start of each of a set of unrelated one-character texts
/// (letters of several scripts, a digit, a space, punctuation, an emoji): such a pattern, like
/// `.` or `[^x]`, flags every post.
fn matches_any_character(pattern: &HsPattern) -> bool {
    const PROBES: [&str; 9] = ["a", "Z", "đ", "中", "0", " ", ".", "!", "😀"];
    let flags = if pattern.is_caseless() { "(?i)" } else { "" };
    // A pattern that matches any character is small; a large one is not worth building twice.
    let Ok(regex) = regex::RegexBuilder::new(&format!("{flags}^(?:{})", pattern.expression))
        .size_limit(1 << 20)
        .build()
    else {
        return false;
    };
    PROBES.iter().all(|probe| regex.is_match(probe))
}

/// Reads and frees a compile error: (message, index of the failing expression or -1).
fn take_compile_error(error: *mut ffi::hs_compile_error_t) -> (String, i32) {
    if error.is_null() {
        return ("unknown Hyperscan compile error".into(), -1);
    }
    // SAFETY: Hyperscan returned a valid error struct; freed exactly once.
    unsafe {
        let message = CStr::from_ptr((*error).message).to_string_lossy().into_owned();
        let index = (*error).expression;
        ffi::hs_free_compile_error(error);
        (message, index)
    }
}

/// Database ids start at 1 so scratch bookkeeping can tell databases apart for the whole
/// process lifetime (ids are never reused).
static NEXT_DATABASE_ID: AtomicU64 = AtomicU64::new(1);

/// A compiled Hyperscan block-mode database.
pub struct HyperscanMatcher {
    db: *mut ffi::hs_database_t,
    id: u64,
    starts: Vec<StartFinder>,
    /// No pattern looks at the edges of the text ([`HsPattern::looks_at_edges`]).
    concatenable: bool,
}

// SAFETY: a compiled database is immutable and documented as shareable between threads; each
// thread scans with its own scratch.
unsafe impl Send for HyperscanMatcher {}
unsafe impl Sync for HyperscanMatcher {}

impl Drop for HyperscanMatcher {
    fn drop(&mut self) {
        // SAFETY: db came from hs_compile_multi and is freed once.
        unsafe { ffi::hs_free_database(self.db) };
    }
}

/// A failed compile: the message and the index of the expression at fault, if Hyperscan named one.
#[derive(Debug)]
pub struct CompileError {
    /// Hyperscan's message.
    pub message: String,
    /// The failing expression's index in the input list.
    pub index: Option<usize>,
    /// The compile did not finish by its deadline (see [`HyperscanMatcher::compile_until`]).
    pub timed_out: bool,
}

impl CompileError {
    fn new(message: impl Into<String>, index: Option<usize>) -> Self {
        CompileError {
            message: message.into(),
            index,
            timed_out: false,
        }
    }
}

impl HyperscanMatcher {
    /// Like [`HyperscanMatcher::compile`], but keeps compiled databases in `cache_dir` (keyed by
    /// the Hyperscan version and every expression and flag), so that the next process with the
    /// same patterns loads in milliseconds what took up to seconds to compile. A cache entry
    /// that is unreadable, corrupt or from another platform is ignored and rewritten.
    pub fn compile_cached(patterns: &[HsPattern], cache_dir: Option<&Path>) -> Result<Self, CompileError> {
        let Some(dir) = cache_dir else {
            return HyperscanMatcher::compile(patterns);
        };
        let mut key = Sha256::new();
        key.update(hyperscan_version().as_bytes());
        for p in patterns {
            key.update(p.flags.to_le_bytes());
            key.update(p.expression.as_bytes());
            key.update([0]);
        }
        let name: String = key.finalize().iter().map(|b| format!("{b:02x}")).collect();
        let path = dir.join(format!("{name}.hsdb"));
        if let Some(matcher) = Self::load(&path, patterns) {
            return Ok(matcher);
        }
        let matcher = HyperscanMatcher::compile(patterns)?;
        matcher.store(dir, &path);
        Ok(matcher)
    }

    fn load(path: &Path, patterns: &[HsPattern]) -> Option<Self> {
        let bytes = std::fs::read(path).ok()?;
        let (body, digest) = bytes.split_at(bytes.len().checked_sub(32)?);
        if Sha256::digest(body).as_slice() != digest {
            return None;
        }
        let starts = patterns
            .iter()
            .map(StartFinder::new)
            .collect::<Result<Vec<_>, _>>()
            .ok()?;
        let mut db: *mut ffi::hs_database_t = ptr::null_mut();
        // SAFETY: `body` is a database serialised by hs_serialize_database (checked by digest);
        // Hyperscan validates its header and platform and fails cleanly otherwise.
        let rc = unsafe { ffi::hs_deserialize_database(body.as_ptr().cast(), body.len(), &mut db) };
        (rc == ffi::HS_SUCCESS).then(|| HyperscanMatcher {
            db,
            id: NEXT_DATABASE_ID.fetch_add(1, Ordering::Relaxed),
            starts,
            concatenable: !patterns.iter().any(HsPattern::looks_at_edges),
        })
    }

    fn store(&self, dir: &Path, path: &Path) {
        let mut bytes: *mut std::os::raw::c_char = ptr::null_mut();
        let mut length = 0usize;
        // SAFETY: db is valid; Hyperscan allocates `bytes` with malloc, freed below.
        if unsafe { ffi::hs_serialize_database(self.db, &mut bytes, &mut length) } != ffi::HS_SUCCESS {
            return;
        }
        // SAFETY: `bytes` holds `length` bytes written by Hyperscan.
        let mut data = unsafe { std::slice::from_raw_parts(bytes.cast::<u8>(), length) }.to_vec();
        // SAFETY: allocated by Hyperscan's default (malloc) allocator.
        unsafe { libc::free(bytes.cast()) };
        let digest = Sha256::digest(&data);
        data.extend_from_slice(&digest);
        // A cache is an optimisation: failing to write it is not an error.
        let tmp = path.with_extension(format!("tmp{}", std::process::id()));
        if std::fs::create_dir_all(dir).is_ok() && std::fs::write(&tmp, &data).is_ok() {
            let _ = std::fs::rename(&tmp, path);
        }
        let _ = std::fs::remove_file(&tmp);
    }

    /// Like [`HyperscanMatcher::compile_cached`], but gives up at `deadline` (`None`: never)
    /// with a [`CompileError`] whose `timed_out` is set.
    ///
    /// Hyperscan's compiler cannot be interrupted, so it runs on a thread of its own; when the
    /// deadline passes, that thread is left to finish in the background and its result is
    /// dropped (a command-line run exits at once; a long-lived process pays the CPU until the
    /// compile ends).
    pub fn compile_until(
        patterns: &[HsPattern],
        cache_dir: Option<&Path>,
        deadline: Option<Instant>,
    ) -> Result<Self, CompileError> {
        let Some(deadline) = deadline else {
            return HyperscanMatcher::compile_cached(patterns, cache_dir);
        };
        let owned = patterns.to_vec();
        let dir = cache_dir.map(Path::to_path_buf);
        let (sender, receiver) = mpsc::channel();
        let thread = std::thread::Builder::new()
            .name("conduct-scan-compile".into())
            .spawn(move || {
                let _ = sender.send(HyperscanMatcher::compile_cached(&owned, dir.as_deref()));
            })
            .map_err(|e| CompileError::new(format!("cannot start a compiler thread: {e}"), None))?;
        match receiver.recv_timeout(deadline.saturating_duration_since(Instant::now())) {
            Ok(result) => {
                let _ = thread.join(); // it has finished: leave no thread behind
                result
            }
            Err(mpsc::RecvTimeoutError::Timeout) => Err(CompileError {
                message: "the time limit was reached".into(),
                index: None,
                timed_out: true,
            }),
            Err(mpsc::RecvTimeoutError::Disconnected) => Err(CompileError::new(
                "the Hyperscan compiler thread stopped without a result",
                None,
            )),
        }
    }

    /// Size of the compiled database in bytes.
    pub fn database_size(&self) -> usize {
        let mut size = 0usize;
        // SAFETY: db is a valid database; `size` outlives the call.
        let rc = unsafe { ffi::hs_database_size(self.db, &mut size) };
        if rc == ffi::HS_SUCCESS {
            size
        } else {
            0
        }
    }

    /// Compiles all patterns into one database; pattern `i` reports id `i`.
    pub fn compile(patterns: &[HsPattern]) -> Result<Self, CompileError> {
        let starts = patterns
            .iter()
            .enumerate()
            .map(|(i, p)| StartFinder::new(p).map_err(|message| CompileError::new(message, Some(i))))
            .collect::<Result<Vec<_>, _>>()?;
        let expressions: Vec<CString> = patterns
            .iter()
            .map(|p| CString::new(p.expression.as_str()))
            .collect::<Result<_, _>>()
            .map_err(|_| CompileError::new("pattern contains a NUL character", None))?;
        let pointers: Vec<*const std::os::raw::c_char> = expressions.iter().map(|e| e.as_ptr()).collect();
        let flags: Vec<c_uint> = patterns.iter().map(|p| p.flags).collect();
        let ids: Vec<c_uint> = (0..patterns.len() as c_uint).collect();
        let mut db: *mut ffi::hs_database_t = ptr::null_mut();
        let mut error: *mut ffi::hs_compile_error_t = ptr::null_mut();
        // SAFETY: the three arrays have `patterns.len()` elements and outlive the call.
        let rc = unsafe {
            ffi::hs_compile_multi(
                pointers.as_ptr(),
                flags.as_ptr(),
                ids.as_ptr(),
                patterns.len() as c_uint,
                ffi::HS_MODE_BLOCK,
                ptr::null(),
                &mut db,
                &mut error,
            )
        };
        if rc != ffi::HS_SUCCESS {
            let (message, index) = take_compile_error(error);
            return Err(CompileError::new(message, usize::try_from(index).ok()));
        }
        Ok(HyperscanMatcher {
            db,
            id: NEXT_DATABASE_ID.fetch_add(1, Ordering::Relaxed),
            starts,
            concatenable: !patterns.iter().any(HsPattern::looks_at_edges),
        })
    }
}

/// Hyperscan scratch space for one thread, grown to fit every database it has scanned with.
pub struct HsScratch {
    scratch: *mut ffi::hs_scratch_t,
    sized_for: Vec<u64>,
}

impl Default for HsScratch {
    fn default() -> Self {
        HsScratch {
            scratch: ptr::null_mut(),
            sized_for: Vec::new(),
        }
    }
}

impl Drop for HsScratch {
    fn drop(&mut self) {
        if !self.scratch.is_null() {
            // SAFETY: allocated by hs_alloc_scratch, freed once.
            unsafe { ffi::hs_free_scratch(self.scratch) };
        }
    }
}

impl HsScratch {
    fn ensure(&mut self, matcher: &HyperscanMatcher) -> Result<()> {
        if self.sized_for.contains(&matcher.id) {
            return Ok(());
        }
        // SAFETY: db is valid; hs_alloc_scratch grows (or allocates) the scratch in place.
        let rc = unsafe { ffi::hs_alloc_scratch(matcher.db, &mut self.scratch) };
        if rc != ffi::HS_SUCCESS {
            return Err(Error::Scan(format!(
                "Hyperscan could not allocate scratch space (error {rc})"
            )));
        }
        self.sized_for.push(matcher.id);
        Ok(())
    }
}

unsafe extern "C" fn on_match(id: c_uint, from: c_ulonglong, to: c_ulonglong, _: c_uint, ctx: *mut c_void) -> c_int {
    // SAFETY: ctx is the `&mut Vec<RawMatch>` passed to hs_scan below, alive for the call.
    let out = unsafe { &mut *ctx.cast::<Vec<RawMatch>>() };
    let _ = from; // 0 without HS_FLAG_SOM_LEFTMOST; starts are located after the scan.
    out.push(RawMatch {
        pattern: id,
        start: to as u32,
        end: to as u32,
    });
    0
}

impl HyperscanMatcher {
    /// Whether texts laid end to end can be scanned in one call (no pattern looks at the edges
    /// of the text): every match inside one of them is then reported, and the matches that
    /// reach back into an earlier text are those whose start is not found in the text alone.
    pub fn concatenable(&self) -> bool {
        self.concatenable
    }

    /// Appends the end of every match in `haystack` to `out` (`start` = `end`: see
    /// [`HyperscanMatcher::start_of`]), in order of their ends.
    pub fn scan_ends(&self, haystack: &str, scratch: &mut HsScratch, out: &mut Vec<RawMatch>) -> Result<()> {
        if haystack.is_empty() {
            return Ok(());
        }
        let length = c_uint::try_from(haystack.len())
            .map_err(|_| Error::Input(format!("text of {} bytes is too long to scan", haystack.len())))?;
        scratch.ensure(self)?;
        // SAFETY: `haystack` is valid UTF-8 (a &str), as HS_FLAG_UTF8 requires; the scratch was
        // sized for this database; `out` outlives the call.
        let rc = unsafe {
            ffi::hs_scan(
                self.db,
                haystack.as_ptr().cast(),
                length,
                0,
                scratch.scratch,
                Some(on_match),
                (out as *mut Vec<RawMatch>).cast(),
            )
        };
        if rc != ffi::HS_SUCCESS && rc != ffi::HS_SCAN_TERMINATED {
            return Err(Error::Scan(format!("Hyperscan scan failed (error {rc})")));
        }
        Ok(())
    }

    /// Where the leftmost match of `pattern` that ends at `end` starts in `haystack`, if one
    /// does (the engines may disagree, or the match begins before `haystack`).
    pub fn start_of(&self, pattern: u32, haystack: &str, end: usize) -> Option<usize> {
        self.starts[pattern as usize].start(haystack, end)
    }
}

impl Matcher for HyperscanMatcher {
    type Scratch = HsScratch;

    fn from_literals(literals: &[&str]) -> Result<Self> {
        let patterns: Vec<HsPattern> = literals.iter().map(|l| HsPattern::literal(l)).collect();
        HyperscanMatcher::compile(&patterns).map_err(|e| Error::Scan(e.message))
    }

    fn new_scratch() -> HsScratch {
        HsScratch::default()
    }

    fn find_all(&self, haystack: &str, scratch: &mut HsScratch, out: &mut Vec<RawMatch>) -> Result<()> {
        if haystack.is_empty() {
            return Ok(());
        }
        let first = out.len();
        self.scan_ends(haystack, scratch, out)?;
        // Locate starts; a match whose start cannot be found (the engines disagree) is dropped.
        let mut kept = first;
        for i in first..out.len() {
            let m = out[i];
            if let Some(start) = self.starts[m.pattern as usize].start(haystack, m.end as usize) {
                out[kept] = RawMatch {
                    start: start as u32,
                    ..m
                };
                kept += 1;
            }
        }
        out.truncate(kept);
        Ok(())
    }
}

/// The benchmarks' physical reference: one Hyperscan database run over the raw bytes of every
/// row (no views, no verification, no start offsets), returning the number of matches.
pub fn bare_scan_count(matcher: &HyperscanMatcher, texts: &(impl crate::scanner::TextSource + ?Sized)) -> Result<u64> {
    let mut scratch = HsScratch::default();
    scratch.ensure(matcher)?;
    unsafe extern "C" fn count(_: c_uint, _: c_ulonglong, _: c_ulonglong, _: c_uint, ctx: *mut c_void) -> c_int {
        // SAFETY: ctx is the `&mut u64` passed below.
        unsafe { *ctx.cast::<u64>() += 1 };
        0
    }
    let mut matches = 0u64;
    for i in 0..texts.len() {
        let Some(bytes) = texts.bytes(i) else { continue };
        if bytes.is_empty() || std::str::from_utf8(bytes).is_err() {
            continue;
        }
        // SAFETY: valid UTF-8, scratch sized for this database, `matches` outlives the call.
        let rc = unsafe {
            ffi::hs_scan(
                matcher.db,
                bytes.as_ptr().cast(),
                bytes.len() as c_uint,
                0,
                scratch.scratch,
                Some(count),
                (&mut matches as *mut u64).cast(),
            )
        };
        if rc != ffi::HS_SUCCESS {
            return Err(Error::Scan(format!("Hyperscan scan failed (error {rc})")));
        }
    }
    Ok(matches)
}
