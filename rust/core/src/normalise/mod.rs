//! Normalised views of a text, each with a map from view offsets back to the original.
//!
//! | view | what it is |
//! |---|---|
//! | `exact` | the text as written, NFC |
//! | `casefold` | NFKC, full case folding, default-ignorable code points removed |
//! | `fold` | casefold with diacritics stripped (NFD, marks dropped, đ → d) |
//! | `skeleton` | fold with evasions undone (see [`skeleton`]) |
//!
//! Each view is a chain step on the previous one, so consecutive views are often byte-equal (an
//! all-lowercase post has `exact == casefold`, English has `casefold == fold`); the scanner uses
//! that to scan such texts once.
//!
//! Offsets: a view is built one normalisation segment at a time (a starter and the marks that
//! follow it), so every view byte comes from a known range of original bytes. The maps cost
//! time and memory, and most posts match nothing, so they are only built on request.

mod chars;
mod fast;
pub mod homoglyphs;
mod identity;
pub mod pattern;
pub mod skeleton;

use std::fmt;
use std::str::FromStr;

use chars::{casefold_segment, exact_segment, fold_segment, is_inert_astral, CharTable};
pub use chars::{is_default_ignorable, is_letter, is_word_char};
pub use identity::{case_variant, is_view_of_itself};
use serde::{Deserialize, Serialize};
use skeleton::SkeletonBuilder;

/// One normalised view of a text.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum View {
    /// The text as written (NFC).
    Exact = 0,
    /// NFKC + full case folding, invisible characters removed.
    Casefold = 1,
    /// Casefold without diacritics.
    Fold = 2,
    /// Fold with spacing, repetition, leetspeak and homoglyph evasions undone.
    Skeleton = 3,
}

impl View {
    /// All views, least normalised first.
    pub const ALL: [View; 4] = [View::Exact, View::Casefold, View::Fold, View::Skeleton];

    /// The view's name as used in rulesets and findings.
    pub fn name(self) -> &'static str {
        match self {
            View::Exact => "exact",
            View::Casefold => "casefold",
            View::Fold => "fold",
            View::Skeleton => "skeleton",
        }
    }

    fn index(self) -> usize {
        self as usize
    }
}

impl fmt::Display for View {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl FromStr for View {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        View::ALL
            .into_iter()
            .find(|v| v.name() == s)
            .ok_or_else(|| format!("unknown view `{s}` (expected exact, casefold, fold or skeleton)"))
    }
}

/// A set of views, as a bit mask.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub struct ViewSet(u8);

impl ViewSet {
    /// The empty set.
    pub const EMPTY: ViewSet = ViewSet(0);

    /// The set holding only `view`.
    pub fn of(view: View) -> ViewSet {
        ViewSet(1 << view.index())
    }

    /// Adds `view`.
    pub fn insert(&mut self, view: View) {
        self.0 |= 1 << view.index();
    }

    /// Whether `view` is in the set.
    pub fn contains(self, view: View) -> bool {
        self.0 & (1 << view.index()) != 0
    }

    /// The union of both sets.
    pub fn union(self, other: ViewSet) -> ViewSet {
        ViewSet(self.0 | other.0)
    }

    /// Whether the set is empty.
    pub fn is_empty(self) -> bool {
        self.0 == 0
    }

    /// The views in the set, least normalised first.
    pub fn iter(self) -> impl Iterator<Item = View> {
        View::ALL.into_iter().filter(move |&v| self.contains(v))
    }

    /// The bit mask (0..16), usable as an array index.
    pub fn bits(self) -> usize {
        self.0 as usize
    }
}

impl FromIterator<View> for ViewSet {
    fn from_iter<I: IntoIterator<Item = View>>(iter: I) -> Self {
        let mut set = ViewSet::EMPTY;
        for v in iter {
            set.insert(v);
        }
        set
    }
}

/// Map from view bytes back to original bytes: byte `i` of the view was produced from original
/// bytes `start[i]..end[i]` (a whole normalisation segment, or several for skeleton letters).
#[derive(Default, Clone, Debug)]
pub struct OffsetMap {
    identity: bool,
    start: Vec<u32>,
    end: Vec<u32>,
}

impl OffsetMap {
    fn reset(&mut self, identity: bool) {
        self.identity = identity;
        self.start.clear();
        self.end.clear();
    }

    #[inline]
    fn push(&mut self, bytes: usize, orig_start: u32, orig_end: u32) {
        for _ in 0..bytes {
            self.start.push(orig_start);
            self.end.push(orig_end);
        }
    }

    fn truncate(&mut self, len: usize) {
        self.start.truncate(len);
        self.end.truncate(len);
    }

    /// The original byte range a view byte range `start..end` (non-empty) came from.
    pub fn to_original(&self, start: usize, end: usize) -> (usize, usize) {
        if self.identity {
            (start, end)
        } else {
            (self.start[start] as usize, self.end[end - 1] as usize)
        }
    }
}

/// The views of one text, rebuilt in place for every post so buffers are reused.
#[derive(Default)]
pub struct ViewTexts {
    texts: [String; 4],
    maps: [OffsetMap; 4],
    skeleton: SkeletonBuilder,
    skeleton_spans: Vec<(u32, u32)>,
}

/// The character starting at byte `at` of valid UTF-8 `bytes`, and its length.
#[inline]
fn decode(bytes: &[u8], at: usize) -> (char, usize) {
    let b = bytes[at];
    let (len, init) = match b {
        0x00..=0x7F => return (b as char, 1),
        0xC0..=0xDF => (2, (b & 0x1F) as u32),
        0xE0..=0xEF => (3, (b & 0x0F) as u32),
        _ => (4, (b & 0x07) as u32),
    };
    let mut code = init;
    for &cont in &bytes[at + 1..at + len] {
        code = (code << 6) | (cont & 0x3F) as u32;
    }
    (char::from_u32(code).unwrap_or('\u{FFFD}'), len)
}

impl ViewTexts {
    /// Builds the views in `needed` of `text` (plus `fold` when `skeleton` is needed). With
    /// `with_maps`, also builds their offset maps.
    pub fn build(&mut self, text: &str, needed: ViewSet, with_maps: bool) {
        let mut chain = needed;
        if needed.contains(View::Skeleton) {
            chain.insert(View::Fold);
        }
        for v in View::ALL {
            self.texts[v.index()].clear();
        }
        if text.is_ascii() {
            self.build_ascii(text, chain, with_maps);
        } else {
            self.build_unicode(text, chain, with_maps);
        }
        if needed.contains(View::Skeleton) {
            self.build_skeleton(with_maps);
        }
    }

    /// Builds, without maps, the views in `scanned` (plus `fold` when `skeleton` is in it) for a
    /// scan, except the exact and casefold views of a text that is its own view of them
    /// ([`is_view_of_itself`]), and returns whether it is. For the common text, the fold view
    /// and that answer come from one pass ([`fast::fold`]); the views are those of
    /// [`ViewTexts::build`].
    pub fn build_for_scan(&mut self, text: &str, scanned: ViewSet) -> bool {
        let folds = scanned.contains(View::Fold) || scanned.contains(View::Skeleton);
        if !folds || text.is_ascii() {
            let itself = is_view_of_itself(text);
            let build = scanned
                .iter()
                .filter(|&v| !(itself && v <= View::Casefold))
                .collect::<ViewSet>();
            // Nothing to build is the common case of a casefold-only ruleset: skip even the
            // clearing pass over the text that `build` makes.
            if !build.is_empty() {
                self.build(text, build, false);
            }
            return itself;
        }
        for v in View::ALL {
            self.texts[v.index()].clear();
        }
        // SAFETY: `fast::fold` appends only whole UTF-8 sequences (ASCII, slices of `text` at
        // character boundaries, forms from the table); on `None` the text is cleared.
        let fold = unsafe { self.texts[View::Fold.index()].as_mut_vec() };
        let itself = match fast::fold(text, fold) {
            Some(itself) => itself,
            None => {
                fold.clear();
                let itself = is_view_of_itself(text);
                let mut chain = ViewSet::of(View::Fold);
                for v in [View::Exact, View::Casefold] {
                    if scanned.contains(v) && !itself {
                        chain.insert(v);
                    }
                }
                self.build_unicode(text, chain, false);
                if scanned.contains(View::Skeleton) {
                    self.build_skeleton(false);
                }
                return itself;
            }
        };
        let mut chain = ViewSet::EMPTY;
        for v in [View::Exact, View::Casefold] {
            if scanned.contains(v) && !itself {
                chain.insert(v);
            }
        }
        if !chain.is_empty() {
            self.build_unicode(text, chain, false);
        }
        if scanned.contains(View::Skeleton) {
            self.build_skeleton(false);
        }
        itself
    }

    /// The text of a view built by the last [`ViewTexts::build`].
    pub fn text(&self, view: View) -> &str {
        &self.texts[view.index()]
    }

    /// The original byte range of a non-empty byte range of a view; needs maps.
    pub fn to_original(&self, view: View, start: usize, end: usize) -> (usize, usize) {
        self.maps[view.index()].to_original(start, end)
    }

    /// ASCII fast path: no Unicode work, identity maps.
    fn build_ascii(&mut self, text: &str, chain: ViewSet, with_maps: bool) {
        if chain.contains(View::Exact) {
            self.texts[0].push_str(text);
        }
        for v in [View::Casefold, View::Fold] {
            if chain.contains(v) {
                let out = &mut self.texts[v.index()];
                out.push_str(text);
                out.make_ascii_lowercase();
            }
        }
        if with_maps {
            for v in [View::Exact, View::Casefold, View::Fold] {
                self.maps[v.index()].reset(true);
            }
        }
    }

    fn build_unicode(&mut self, text: &str, chain: ViewSet, with_maps: bool) {
        let flags = (
            chain.contains(View::Exact),
            chain.contains(View::Casefold),
            chain.contains(View::Fold),
            with_maps,
        );
        // Monomorphised per combination, so the per-character loop has no view branches.
        macro_rules! dispatch {
            ($(($e:literal, $c:literal, $f:literal, $m:literal)),*) => {
                match flags {
                    $(($e, $c, $f, $m) => self.build_chain::<$e, $c, $f, $m>(text),)*
                }
            };
        }
        dispatch!(
            (false, false, false, false),
            (false, false, false, true),
            (false, false, true, false),
            (false, false, true, true),
            (false, true, false, false),
            (false, true, false, true),
            (false, true, true, false),
            (false, true, true, true),
            (true, false, false, false),
            (true, false, false, true),
            (true, false, true, false),
            (true, false, true, true),
            (true, true, false, false),
            (true, true, false, true),
            (true, true, true, false),
            (true, true, true, true)
        )
    }

    /// One pass over the text writing the exact, casefold and fold views. Each character is
    /// written as soon as it is read, as a segment of its own; when a combining mark follows
    /// (decomposed input, rare), the segment just written is taken back and rewritten whole
    /// through the slow path. This avoids looking ahead at every character.
    fn build_chain<const EXACT: bool, const CASEFOLD: bool, const FOLD: bool, const MAPS: bool>(&mut self, text: &str) {
        let table = CharTable::get();
        let on = [EXACT, CASEFOLD, FOLD];
        let with_maps = MAPS;
        if with_maps {
            for map in &mut self.maps[..3] {
                map.reset(false);
            }
        }
        let [t_exact, t_casefold, t_fold, _] = &mut self.texts;
        // SAFETY: only whole UTF-8 sequences are appended below (ASCII bytes, slices of `text`
        // at character boundaries, or strings from the table), and truncation happens only at
        // lengths recorded between such appends, so the Strings stay valid UTF-8.
        let outs = unsafe { [t_exact.as_mut_vec(), t_casefold.as_mut_vec(), t_fold.as_mut_vec()] };
        let maps = &mut self.maps[..3];
        let bytes = text.as_bytes();
        let n = bytes.len();
        for v in 0..3 {
            if on[v] {
                outs[v].reserve(n + 8);
            }
        }
        // Start of the last segment written, in the text and in each view.
        let mut segment_start = 0usize;
        let mut segment_out = [0usize; 3];
        let mut at = 0;
        while at < n {
            let b = bytes[at];
            if b < 0x80 {
                segment_start = at;
                for v in 0..3 {
                    if on[v] {
                        segment_out[v] = outs[v].len();
                        outs[v].push(if v == 0 { b } else { b.to_ascii_lowercase() });
                        if with_maps {
                            maps[v].push(1, at as u32, at as u32 + 1);
                        }
                    }
                }
                at += 1;
                continue;
            }
            let (c, len) = decode(bytes, at);
            if !table.starts_segment(c) && at > 0 {
                // Marks after the segment just written: rewrite the whole segment.
                let mut end = at + len;
                while end < n && bytes[end] >= 0x80 {
                    let (next, next_len) = decode(bytes, end);
                    if table.starts_segment(next) {
                        break;
                    }
                    end += next_len;
                }
                let segment = &text[segment_start..end];
                let mut buf = String::new();
                for v in 0..3 {
                    if on[v] {
                        outs[v].truncate(segment_out[v]);
                        buf.clear();
                        [exact_segment as fn(&str, &mut String), casefold_segment, fold_segment][v](segment, &mut buf);
                        outs[v].extend_from_slice(buf.as_bytes());
                        if with_maps {
                            maps[v].truncate(segment_out[v]);
                            maps[v].push(buf.len(), segment_start as u32, end as u32);
                        }
                    }
                }
                at = end;
                continue;
            }
            // An invisible character does not start a segment of its own for what follows: a
            // mark after it (`a`, zero-width space, acute) must still compose with the letter
            // once the invisible one is gone, so a later mark takes back both.
            let invisible = is_default_ignorable(c);
            if !invisible {
                segment_start = at;
            }
            let original = &bytes[at..at + len];
            let known = CharTable::covers(c) || is_inert_astral(c);
            let mut buf = String::new();
            for v in 0..3 {
                if on[v] {
                    if !invisible {
                        segment_out[v] = outs[v].len();
                    }
                    let form: &[u8] = if known {
                        table.form(c, View::ALL[v]).unwrap_or(original)
                    } else {
                        buf.clear();
                        [exact_segment as fn(&str, &mut String), casefold_segment, fold_segment][v](
                            &text[at..at + len],
                            &mut buf,
                        );
                        buf.as_bytes()
                    };
                    // Forms are 1 to 4 bytes: a loop beats a memcpy call.
                    for &byte in form {
                        outs[v].push(byte);
                    }
                    if with_maps {
                        maps[v].push(form.len(), at as u32, (at + len) as u32);
                    }
                }
            }
            at += len;
        }
    }

    fn build_skeleton(&mut self, with_maps: bool) {
        let [_, _, fold, skeleton] = &mut self.texts;
        if !with_maps {
            self.skeleton.build(fold, skeleton, None);
            return;
        }
        self.skeleton_spans.clear();
        self.skeleton.build(fold, skeleton, Some(&mut self.skeleton_spans));
        let [_, _, fold_map, map] = &mut self.maps;
        map.reset(false);
        for &(fs, fe) in &self.skeleton_spans {
            let (os, oe) = fold_map.to_original(fs as usize, fe as usize);
            map.start.push(os as u32);
            map.end.push(oe as u32);
        }
    }
}

/// `text` in one view, without offsets: how terms are normalised before compiling.
pub fn normalise(view: View, text: &str) -> String {
    let mut views = ViewTexts::default();
    views.build(text, ViewSet::of(view), false);
    views.texts[view.index()].clone()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// `(view, original, expected view text)`, and every view byte maps inside the original.
    macro_rules! t {
        ($view:expr, $orig:expr, $expected:expr) => {{
            let mut views = ViewTexts::default();
            views.build($orig, ViewSet::of($view), true);
            assert_eq!(views.text($view), $expected, "{} of {:?}", $view, $orig);
            let n = views.text($view).len();
            for i in 0..n {
                let (s, e) = views.to_original($view, i, i + 1);
                assert!(
                    s < e && e <= $orig.len(),
                    "{} of {:?}: byte {i} -> {s}..{e}",
                    $view,
                    $orig
                );
            }
        }};
    }

    #[test]
    fn exact() {
        t!(View::Exact, "Hello", "Hello");
        t!(View::Exact, "Đồ ngu", "Đồ ngu");
        t!(View::Exact, "Đo\u{0302}\u{0300} ngu", "Đồ ngu");
        t!(View::Exact, "a\u{200B}b", "a\u{200B}b");
    }

    #[test]
    fn casefold() {
        t!(View::Casefold, "HELLO World", "hello world");
        t!(View::Casefold, "ĐỒ NGU", "đồ ngu");
        t!(View::Casefold, "Đo\u{0302}\u{0300} NGU", "đồ ngu");
        t!(View::Casefold, "đ\u{200B}ị\u{200B}t", "địt");
        t!(View::Casefold, "ＦＵＣＫ", "fuck");
        t!(View::Casefold, "Straße", "strasse");
        t!(View::Casefold, "so\u{00AD}ft", "soft");
        t!(View::Casefold, "❤\u{FE0F} 😀", "❤ 😀");
    }

    #[test]
    fn fold() {
        t!(View::Fold, "Đồ NGU", "do ngu");
        t!(View::Fold, "Lồn", "lon");
        t!(View::Fold, "Đo\u{0302}\u{0300}", "do");
        t!(View::Fold, "người Việt", "nguoi viet");
        t!(View::Fold, "plain ascii", "plain ascii");
    }

    #[test]
    fn skeleton() {
        t!(View::Skeleton, "Đ.Ị.T mẹ", "dit me");
        t!(View::Skeleton, "NGUUUU", "ngu");
        t!(View::Skeleton, "sh1t", "shit");
        t!(View::Skeleton, "đ\u{200B}ị\u{200B}t", "dit");
        t!(View::Skeleton, "fuсk", "fuck");
    }

    #[test]
    fn offsets_point_at_the_evidence() {
        let text = "Mày là đ.ồ n.g.u thật";
        let mut views = ViewTexts::default();
        views.build(text, ViewSet::of(View::Skeleton), true);
        let skeleton = views.text(View::Skeleton);
        let at = skeleton.find("ngu").unwrap();
        let (s, e) = views.to_original(View::Skeleton, at, at + 3);
        assert_eq!(&text[s..e], "n.g.u");
        let text = "Địt\u{200B}";
        views.build(text, ViewSet::of(View::Casefold), true);
        let (s, e) = views.to_original(View::Casefold, 0, views.text(View::Casefold).len());
        assert_eq!(&text[s..e], "Địt");
    }

    #[test]
    fn normalise_terms() {
        assert_eq!(normalise(View::Fold, "Địt Mẹ"), "dit me");
        assert_eq!(normalise(View::Skeleton, "book"), "bok");
        assert_eq!(normalise(View::Casefold, "F U C K"), "f u c k");
    }
}
