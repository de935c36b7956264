//! The `skeleton` view: the `fold` view with the common evasions undone.
//!
//! Four steps, in this order, each defined on characters of the fold view:
//! 1. homoglyphs: every non-ASCII character written as what it looks like, from Unicode's
//!    confusables data (UTS #39) and character names (small capitals, negative squared letters);
//!    see [`super::homoglyphs`];
//! 2. spaced-out words: single letters joined by separators are joined (`d.i.t` → `dit`,
//!    `f u c k` → `fuck`); a "letter" here also counts the leetspeak characters, and a run needs
//!    at least two real letters;
//! 3. leetspeak inside words: digits next to a letter (`sh1t`), and `@ $ !` between letters
//!    (`a$$`, `b!tch`), so that `2021`, `@mention` and `wow!` are left alone;
//! 4. runs of the same letter collapsed to one (`nguuuu` → `ngu`).
//!
//! Terms are put through the same steps, so `book` in a skeleton rule is stored as `bok`.

use super::chars::is_letter;
use super::homoglyphs::Homoglyphs;

/// What `c`, a character of the fold view, looks like (UTS #39 confusables and the letters
/// named as small capitals or negative squared letters, as fold text; see [`super::homoglyphs`]),
/// or `None` when it is only itself. ASCII characters are always themselves.
#[inline]
pub fn homoglyph(c: char) -> Option<&'static str> {
    Homoglyphs::get().map(c)
}

/// The letter a leetspeak character stands for.
pub fn leet(c: char) -> Option<char> {
    Some(match c {
        '0' => 'o',
        '1' => 'i',
        '3' => 'e',
        '4' => 'a',
        '5' => 's',
        '7' => 't',
        '@' => 'a',
        '$' => 's',
        '!' => 'i',
        _ => return None,
    })
}

/// Characters that may join the letters of a spaced-out word.
pub fn is_separator(c: char) -> bool {
    matches!(
        c,
        ' ' | '\t' | '.' | '-' | '_' | '*' | '/' | '\\' | '|' | '+' | '~' | '^' | '·' | '•'
    )
}

/// Longest run of separators allowed between two letters of a spaced-out word.
const MAX_SEPARATORS: usize = 3;

/// What the algorithm needs to know about a unit of text: a byte of ASCII text (the fast path:
/// the fold view of Vietnamese and English is nearly always ASCII) or a character.
trait Unit: Copy + PartialEq {
    fn is_letter(self) -> bool;
    fn leet(self) -> Option<Self>;
    fn is_separator(self) -> bool;
    fn is_whitespace(self) -> bool;
    fn is_digit(self) -> bool;
    fn push(self, out: &mut String) -> usize;
}

impl Unit for u8 {
    #[inline]
    fn is_letter(self) -> bool {
        self.is_ascii_alphabetic()
    }
    #[inline]
    fn leet(self) -> Option<u8> {
        leet(self as char).map(|c| c as u8)
    }
    #[inline]
    fn is_separator(self) -> bool {
        is_separator(self as char)
    }
    #[inline]
    fn is_whitespace(self) -> bool {
        self.is_ascii_whitespace()
    }
    #[inline]
    fn is_digit(self) -> bool {
        self.is_ascii_digit()
    }
    #[inline]
    fn push(self, out: &mut String) -> usize {
        out.push(self as char);
        1
    }
}

impl Unit for char {
    fn is_letter(self) -> bool {
        is_letter(self)
    }
    fn leet(self) -> Option<char> {
        leet(self)
    }
    fn is_separator(self) -> bool {
        is_separator(self)
    }
    fn is_whitespace(self) -> bool {
        char::is_whitespace(self)
    }
    fn is_digit(self) -> bool {
        self.is_ascii_digit()
    }
    fn push(self, out: &mut String) -> usize {
        out.push(self);
        self.len_utf8()
    }
}

/// Reusable buffers for building skeletons.
#[derive(Default)]
pub struct SkeletonBuilder {
    chars: Vec<char>,
    char_spans: Vec<(u32, u32)>,
    kept: Vec<usize>,
    drop: Vec<bool>,
    flags: Vec<u8>,
    masks: AsciiMasks,
}

impl SkeletonBuilder {
    /// Appends the skeleton of `fold` to `out`. With `spans`, also records for every byte written
    /// the byte range of the fold text it came from.
    pub fn build(&mut self, fold: &str, out: &mut String, spans: Option<&mut Vec<(u32, u32)>>) {
        if fold.is_ascii() {
            let bytes = fold.as_bytes();
            self.masks.fill(bytes);
            match self.masks.work() {
                Work::Nothing => {
                    out.push_str(fold);
                    if let Some(spans) = spans {
                        spans.extend((0..bytes.len() as u32).map(|i| (i, i + 1)));
                    }
                }
                Work::Repeats => match spans {
                    None => self.masks.collapse_repeats(fold, out),
                    spans => collapse_repeats(bytes, out, spans),
                },
                Work::Everything => self.run(bytes, |i| (i as u32, i as u32 + 1), out, spans),
            }
            return;
        }
        let homoglyphs = Homoglyphs::get();
        let mut chars = std::mem::take(&mut self.chars);
        let mut char_spans = std::mem::take(&mut self.char_spans);
        if self.map_look_alikes(fold, homoglyphs, &mut chars, &mut char_spans) {
            // The gate: once look-alikes are replaced, nothing is left for any other step to
            // change, so the general pass would write the characters unchanged, each byte
            // spanning the fold character it came from.
            match spans {
                None => out.extend(chars.iter()),
                Some(spans) => {
                    for (&c, &span) in chars.iter().zip(&char_spans) {
                        out.push(c);
                        spans.extend(std::iter::repeat_n(span, c.len_utf8()));
                    }
                }
            }
        } else {
            self.run(&chars, |i| char_spans[i], out, spans);
        }
        self.chars = chars;
        self.char_spans = char_spans;
    }

    /// The general algorithm on the characters of `fold`, look-alikes replaced first: what
    /// [`SkeletonBuilder::build`] must agree with (tests).
    #[cfg(test)]
    fn build_chars(
        &mut self,
        fold: &str,
        homoglyphs: &Homoglyphs,
        out: &mut String,
        spans: Option<&mut Vec<(u32, u32)>>,
    ) {
        let mut chars = Vec::new();
        let mut char_spans = Vec::new();
        for (i, c) in fold.char_indices() {
            let span = (i as u32, (i + c.len_utf8()) as u32);
            match homoglyphs.map(c) {
                Some(look_alike) => {
                    for m in look_alike.chars() {
                        chars.push(m);
                        char_spans.push(span);
                    }
                }
                None => {
                    chars.push(c);
                    char_spans.push(span);
                }
            }
        }
        self.run(&chars, |i| char_spans[i], out, spans);
    }

    /// Step 1 on the characters of `fold` (not ASCII): each look-alike replaced, into `chars`,
    /// with the fold byte range of each in `spans`. Returns whether [`work`] finds nothing for
    /// the other steps in the result, in which case the skeleton is `chars` as they are: one
    /// pass of table lookups instead of the general algorithm, for the many posts whose fold
    /// view holds a few non-ASCII characters (quotation marks, dashes, emoji, other scripts).
    fn map_look_alikes(
        &mut self,
        fold: &str,
        homoglyphs: &Homoglyphs,
        chars: &mut Vec<char>,
        spans: &mut Vec<(u32, u32)>,
    ) -> bool {
        chars.clear();
        spans.clear();
        self.flags.clear();
        // The classes [`SkeletonBuilder::run`] gives (its SPACE bit apart, which `work` ignores).
        let class = |c: char| {
            if c.is_ascii() {
                ASCII_CLASS[c as usize]
            } else if is_letter(c) {
                LETTER | UNIT
            } else if is_separator(c) {
                SEPARATOR
            } else {
                0
            }
        };
        for (i, c) in fold.char_indices() {
            let span = (i as u32, (i + c.len_utf8()) as u32);
            if c.is_ascii() {
                chars.push(c);
                spans.push(span);
                self.flags.push(ASCII_CLASS[c as usize]);
                continue;
            }
            match homoglyphs.map(c) {
                Some(look_alike) => {
                    for m in look_alike.chars() {
                        chars.push(m);
                        spans.push(span);
                        self.flags.push(class(m));
                    }
                }
                None => {
                    chars.push(c);
                    spans.push(span);
                    self.flags.push(class(c));
                }
            }
        }
        let flags = &self.flags;
        work(chars.as_slice(), |i| flags[i]) == Work::Nothing
    }

    fn run<U: Unit>(
        &mut self,
        units: &[U],
        span: impl Fn(usize) -> (u32, u32),
        out: &mut String,
        mut spans: Option<&mut Vec<(u32, u32)>>,
    ) {
        // Classify every unit once: for characters this is a Unicode category lookup.
        self.flags.clear();
        self.flags.extend(units.iter().map(|u| {
            let mut f = 0;
            if u.is_letter() {
                f |= LETTER | UNIT;
            } else if u.leet().is_some() {
                f |= UNIT;
            } else if u.is_separator() {
                f |= if u.is_whitespace() {
                    SEPARATOR | SPACE
                } else {
                    SEPARATOR
                };
            }
            f
        }));
        mark_spaced_out_separators(units, &self.flags, &mut self.drop);
        self.kept.clear();
        self.kept.extend((0..units.len()).filter(|&i| !self.drop[i]));
        let (kept, flags) = (&self.kept, &self.flags);
        // Leetspeak is decided on the characters before any of them is replaced.
        let flag = |p: usize| flags[kept[p]];
        let mut last: Option<U> = None;
        let mut last_start = 0usize;
        for p in 0..kept.len() {
            let mut c = units[kept[p]];
            let mut letter = flag(p) & LETTER != 0;
            if let Some(mapped) = c.leet() {
                let prev = if p > 0 { flag(p - 1) } else { 0 };
                let next = if p + 1 < kept.len() { flag(p + 1) } else { 0 };
                let letter_beside = (prev | next) & LETTER != 0;
                let inside = prev & next & UNIT != 0;
                if letter_beside && (c.is_digit() || inside) {
                    c = mapped;
                    letter = true;
                }
            }
            let (start, end) = span(kept[p]);
            if letter && last == Some(c) {
                // Repeated letter: widen the span of the one already written.
                if let Some(spans) = spans.as_deref_mut() {
                    for s in &mut spans[last_start..] {
                        s.1 = end;
                    }
                }
                continue;
            }
            last_start = out.len();
            let written = c.push(out);
            if let Some(spans) = spans.as_deref_mut() {
                spans.extend(std::iter::repeat_n((start, end), written));
            }
            last = Some(c);
        }
    }
}

/// Unit classes, computed once per unit.
const LETTER: u8 = 1;
/// A letter or a leetspeak character.
const UNIT: u8 = 2;
const SEPARATOR: u8 = 4;
const SPACE: u8 = 8;

/// The class of every ASCII byte, for the checks that run over all text.
static ASCII_CLASS: [u8; 128] = {
    let mut table = [0u8; 128];
    let mut b = 0;
    while b < 128 {
        let c = b as u8;
        table[b] = if c.is_ascii_alphabetic() {
            LETTER | UNIT
        } else if matches!(c, b'0' | b'1' | b'3' | b'4' | b'5' | b'7' | b'@' | b'$' | b'!') {
            UNIT
        } else if matches!(
            c,
            b' ' | b'\t' | b'.' | b'-' | b'_' | b'*' | b'/' | b'\\' | b'|' | b'+' | b'~' | b'^'
        ) {
            SEPARATOR
        } else {
            0
        };
        b += 1;
    }
    table
};

/// Which steps can change a text.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Work {
    /// None: the text is its own skeleton (most text).
    Nothing,
    /// Only doubled letters to collapse (most English text).
    Repeats,
    /// Leetspeak next to a letter, or single letters joined by separators.
    Everything,
}

/// Which steps can change the text of `units` (look-alikes apart), whose classes are `class`
/// ([`ASCII_CLASS`] for bytes). Conservative for [`SkeletonBuilder::run`]: a separator is only
/// dropped between single units; when none is, a leetspeak character's neighbours are those
/// of the text, and it is replaced exactly when this finds it (a digit next to a letter, any
/// other between units one of which is a letter); and a letter is only collapsed into an equal
/// letter written just before it, which, when nothing is dropped or replaced, is the unit
/// before it.
fn work<U: Unit>(b: &[U], class: impl Fn(usize) -> u8) -> Work {
    let n = b.len();
    let single = |i: usize| {
        class(i) & UNIT != 0 && !(i > 0 && class(i - 1) & UNIT != 0) && !(i + 1 < n && class(i + 1) & UNIT != 0)
    };
    let mut work = Work::Nothing;
    for i in 0..n {
        let c = class(i);
        if c & LETTER != 0 {
            if i + 1 < n && b[i + 1] == b[i] {
                work = Work::Repeats;
            }
        } else if c & UNIT != 0 {
            let (before, after) = (
                if i > 0 { class(i - 1) } else { 0 },
                if i + 1 < n { class(i + 1) } else { 0 },
            );
            // What `run` replaces when nothing is dropped: a digit next to a letter, `@ $ !`
            // between units one of which is a letter (not `@mention` or `wow!`).
            if (before | after) & LETTER != 0 && (b[i].is_digit() || before & after & UNIT != 0) {
                return Work::Everything;
            }
        } else if c & SEPARATOR != 0 && i > 0 && single(i - 1) {
            let mut k = i;
            while k < n && k - i < MAX_SEPARATORS && class(k) & SEPARATOR != 0 {
                k += 1;
            }
            if k < n && single(k) {
                return Work::Everything;
            }
        }
    }
    work
}

/// [`work`] on ASCII text, byte by byte: what [`AsciiMasks::work`] must agree with (tests).
#[cfg(test)]
fn ascii_work(b: &[u8]) -> Work {
    work(b, |i| ASCII_CLASS[b[i] as usize])
}

/// The classes of 64 bytes at a time with SSE2 (every x86-64 processor has it).
#[cfg(target_arch = "x86_64")]
mod sse2 {
    use std::arch::x86_64::*;

    /// For the first 64 bytes of `window` (65 bytes): the masks of letters, leetspeak
    /// characters, leetspeak digits, separators ([`super::ASCII_CLASS`]), and of bytes equal to
    /// the byte after them.
    pub(super) fn classify(window: &[u8]) -> [u64; 5] {
        assert!(window.len() > 64);
        let mut masks = [0u64; 5];
        for part in 0..4 {
            let at = part * 16;
            // SAFETY: `at + 17 <= 65 <= window.len()`, so both 16-byte loads are in bounds.
            let (v, next) = unsafe {
                (
                    _mm_loadu_si128(window.as_ptr().add(at).cast()),
                    _mm_loadu_si128(window.as_ptr().add(at + 1).cast()),
                )
            };
            // SAFETY: SSE2 is part of x86-64, so these intrinsics are always available.
            let [letter, leet, leet_digit, separator, equal] = unsafe {
                let set = |c: u8| _mm_set1_epi8(c as i8);
                let eq = |c: u8| _mm_cmpeq_epi8(v, set(c));
                // Unsigned `x < n`, from a signed comparison with the high bits flipped.
                let below = |x: __m128i, n: u8| _mm_cmplt_epi8(_mm_xor_si128(x, set(0x80)), set(0x80 ^ n));
                let letter = below(_mm_sub_epi8(_mm_or_si128(v, set(0x20)), set(b'a')), 26);
                let digit = below(_mm_sub_epi8(v, set(b'0')), 10);
                let other_digits = _mm_or_si128(_mm_or_si128(eq(b'2'), eq(b'6')), _mm_or_si128(eq(b'8'), eq(b'9')));
                let leet_digit = _mm_andnot_si128(other_digits, digit);
                let leet = _mm_or_si128(leet_digit, _mm_or_si128(eq(b'@'), _mm_or_si128(eq(b'$'), eq(b'!'))));
                let separator = b" \t.-_*/\\|+~^"
                    .iter()
                    .fold(_mm_setzero_si128(), |m, &c| _mm_or_si128(m, eq(c)));
                let equal = _mm_cmpeq_epi8(v, next);
                [letter, leet, leet_digit, separator, equal].map(|bytes| _mm_movemask_epi8(bytes) as u16)
            };
            for (mask, bits) in masks.iter_mut().zip([letter, leet, leet_digit, separator, equal]) {
                *mask |= u64::from(bits) << at;
            }
        }
        masks
    }
}

/// The masks of [`sse2::classify`] for `chunk`, the `q`-th 64 bytes of ASCII text `b`. The
/// last chunk of a text (shorter, or without a byte after it) is classified from a copy padded
/// with NUL bytes, which are in no class, and its masks cut to its bytes: so short posts take
/// the SSE2 path too.
#[cfg(target_arch = "x86_64")]
#[inline]
fn classify(b: &[u8], q: usize, chunk: &[u8]) -> [u64; 5] {
    if let Some(window) = b.get(q * 64..q * 64 + 65) {
        return sse2::classify(window);
    }
    let mut padded = [0u8; 65];
    padded[..chunk.len()].copy_from_slice(chunk);
    let keep = if chunk.len() == 64 {
        u64::MAX
    } else {
        (1u64 << chunk.len()) - 1
    };
    let [letter, leet, digit, separator, equal] = sse2::classify(&padded).map(|mask| mask & keep);
    // This chunk is the text's last: its last byte has no byte after it to equal.
    [letter, leet, digit, separator, equal & keep >> 1]
}

/// The masks of [`sse2::classify`] for `chunk`, the `q`-th 64 bytes of ASCII text `b`, byte
/// by byte.
#[cfg(not(target_arch = "x86_64"))]
fn classify(b: &[u8], q: usize, chunk: &[u8]) -> [u64; 5] {
    scalar_classify(b, q, chunk)
}

/// [`classify`] one byte at a time (the reference of the SSE2 path's tests).
#[cfg_attr(target_arch = "x86_64", allow(dead_code))]
fn scalar_classify(b: &[u8], q: usize, chunk: &[u8]) -> [u64; 5] {
    let (mut letter, mut leet, mut digit, mut separator) = (0u64, 0u64, 0u64, 0u64);
    for (i, &c) in chunk.iter().enumerate() {
        let class = ASCII_CLASS[c as usize & 0x7F];
        letter |= u64::from(class & LETTER) << i;
        leet |= u64::from(class & (LETTER | UNIT) == UNIT) << i;
        digit |= u64::from(c.is_ascii_digit()) << i;
        separator |= u64::from(class & SEPARATOR != 0) << i;
    }
    // Byte i equal to byte i + 1 (the last byte of the text has no next byte).
    let next = &b[(q * 64 + 1).min(b.len())..(q * 64 + 65).min(b.len())];
    let equal = chunk
        .iter()
        .zip(next)
        .enumerate()
        .fold(0u64, |m, (i, (x, y))| m | (u64::from(x == y) << i));
    [letter, leet, digit & leet, separator, equal]
}

/// [`work`] on ASCII text, 64 bytes at a time: the classes of the bytes as bit masks (bit
/// `i % 64` of word `i / 64` for byte `i`), and the conditions of [`work`] as shifts and ands
/// of them. Most fold text is ASCII, and this runs over all of it.
#[derive(Default)]
struct AsciiMasks {
    letter: Vec<u64>,
    /// Leetspeak characters (units that are not letters).
    leet: Vec<u64>,
    /// Digits among them.
    digit: Vec<u64>,
    separator: Vec<u64>,
    /// Letters followed by the same letter.
    doubled: Vec<u64>,
    /// Units: letters and leetspeak characters.
    unit: Vec<u64>,
    /// Single units: a unit with no unit either side.
    single: Vec<u64>,
}

impl AsciiMasks {
    fn fill(&mut self, b: &[u8]) {
        for v in [
            &mut self.letter,
            &mut self.leet,
            &mut self.digit,
            &mut self.separator,
            &mut self.doubled,
            &mut self.unit,
            &mut self.single,
        ] {
            v.clear();
        }
        for (q, chunk) in b.chunks(64).enumerate() {
            let [letter, leet, digit, separator, equal] = classify(b, q, chunk);
            self.letter.push(letter);
            self.leet.push(leet);
            self.digit.push(digit);
            self.separator.push(separator);
            self.doubled.push(equal & letter);
        }
        self.unit.extend(self.letter.iter().zip(&self.leet).map(|(l, t)| l | t));
        for q in 0..self.unit.len() {
            let single = self.unit[q] & !Self::behind(&self.unit, q) & !Self::ahead(&self.unit, q, 1);
            self.single.push(single);
        }
    }

    /// Bit `i` of the result is bit `i + k` of `m` (`k` in 1..64), across words.
    #[inline]
    fn ahead(m: &[u64], q: usize, k: u32) -> u64 {
        m[q] >> k | m.get(q + 1).map_or(0, |&w| w << (64 - k))
    }

    /// Bit `i` of the result is bit `i - 1` of `m`, across words.
    #[inline]
    fn behind(m: &[u64], q: usize) -> u64 {
        m[q] << 1 | if q > 0 { m[q - 1] >> 63 } else { 0 }
    }

    /// [`work`] of the text last given to [`AsciiMasks::fill`].
    fn work(&self) -> Work {
        let (x, s) = (&self.single, &self.separator);
        let mut repeats = 0;
        for q in 0..self.letter.len() {
            // A leetspeak character that `run` replaces: a digit next to a letter, any other
            // between units one of which is a letter.
            let (letter, unit) = (&self.letter, &self.unit);
            let leet = self.leet[q]
                & (Self::behind(letter, q) | Self::ahead(letter, q, 1))
                & (self.digit[q] | Self::behind(unit, q) & Self::ahead(unit, q, 1));
            // A single unit, one to MAX_SEPARATORS (3) separators, a single unit.
            let (s2, s3) = (Self::ahead(s, q, 2), Self::ahead(s, q, 3));
            let joined = x[q]
                & Self::ahead(s, q, 1)
                & (Self::ahead(x, q, 2) | s2 & Self::ahead(x, q, 3) | s2 & s3 & Self::ahead(x, q, 4));
            if leet | joined != 0 {
                return Work::Everything;
            }
            repeats |= self.doubled[q];
        }
        if repeats != 0 {
            Work::Repeats
        } else {
            Work::Nothing
        }
    }

    /// [`collapse_repeats`] without spans, for the text last given to [`AsciiMasks::fill`]: a
    /// letter equal to the letter before it is dropped, the bytes between are copied whole.
    fn collapse_repeats(&self, fold: &str, out: &mut String) {
        let mut from = 0;
        for (q, &doubled) in self.doubled.iter().enumerate() {
            let mut dropped = doubled;
            while dropped != 0 {
                let at = q * 64 + dropped.trailing_zeros() as usize + 1;
                dropped &= dropped - 1;
                out.push_str(&fold[from..at]);
                from = at + 1;
            }
        }
        out.push_str(&fold[from..]);
    }
}

/// The skeleton of ASCII text whose only evasion-like feature is doubled letters.
fn collapse_repeats(b: &[u8], out: &mut String, mut spans: Option<&mut Vec<(u32, u32)>>) {
    let mut last: Option<u8> = None;
    for (i, &c) in b.iter().enumerate() {
        let i = i as u32;
        if c.is_ascii_alphabetic() && last == Some(c) {
            if let Some(spans) = spans.as_deref_mut() {
                if let Some(span) = spans.last_mut() {
                    span.1 = i + 1;
                }
            }
            continue;
        }
        out.push(c as char);
        if let Some(spans) = spans.as_deref_mut() {
            spans.push((i, i + 1));
        }
        last = Some(c);
    }
}

/// Marks the separators inside spaced-out words (`f.u.c.k`) for removal. A spaced-out word uses
/// the same separator throughout (so `x d.i.t y` gives `x dit y`) and needs two letters (three
/// when spaced with whitespace, which single-letter words such as "a" also produce).
fn mark_spaced_out_separators<U: Unit>(units: &[U], flags: &[u8], drop: &mut Vec<bool>) {
    let n = units.len();
    drop.clear();
    drop.resize(n, false);
    let unit = |i: usize| flags[i] & UNIT != 0;
    let single = |i: usize| unit(i) && !(i > 0 && unit(i - 1)) && !(i + 1 < n && unit(i + 1));
    let separator_after = |i: usize| -> usize {
        let mut k = i + 1;
        while k < n && k - i - 1 < MAX_SEPARATORS && flags[k] & SEPARATOR != 0 {
            k += 1;
        }
        k
    };
    let mut i = 0;
    while i < n {
        if !single(i) {
            i += 1;
            continue;
        }
        let first = i;
        let mut last = i;
        let mut letters = usize::from(flags[i] & LETTER != 0);
        let mut separator: Option<(usize, usize)> = None;
        loop {
            let k = separator_after(last);
            let len = k - last - 1;
            if len == 0 || k >= n || !single(k) {
                break;
            }
            match separator {
                Some((at, l)) if l != len || units[at..at + len] != units[last + 1..k] => break,
                Some(_) => {}
                None => separator = Some((last + 1, len)),
            }
            letters += usize::from(flags[k] & LETTER != 0);
            last = k;
        }
        let spaced = separator.is_some_and(|(at, _)| flags[at] & SPACE != 0);
        let needed = if spaced { 3 } else { 2 };
        if last > first && letters >= needed {
            for (j, d) in drop.iter_mut().enumerate().take(last + 1).skip(first) {
                *d = !unit(j);
            }
            i = last + 1;
        } else {
            i = first + 1;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn skeleton(s: &str) -> String {
        let mut out = String::new();
        SkeletonBuilder::default().build(s, &mut out, None);
        out
    }

    #[test]
    fn undoes_evasions() {
        assert_eq!(skeleton("d.i.t me"), "dit me");
        assert_eq!(skeleton("f u c k you"), "fuck you");
        assert_eq!(skeleton("nguuuu"), "ngu");
        assert_eq!(skeleton("sh1t"), "shit");
        assert_eq!(skeleton("a$$hole"), "ashole");
        assert_eq!(skeleton("b!tch"), "bitch");
        assert_eq!(skeleton("fuсk"), "fuck"); // Cyrillic с
        assert_eq!(skeleton("d.1.t"), "dit");
        assert_eq!(skeleton("x d.i.t y"), "x dit y");
        assert_eq!(skeleton("đ m"), "đ m");
    }

    #[test]
    fn leaves_innocent_text_alone() {
        assert_eq!(skeleton("năm 2021"), "năm 2021");
        assert_eq!(skeleton("@thang wow!"), "@thang wow!");
        assert_eq!(skeleton("1 . 2 . 3"), "1 . 2 . 3");
        assert_eq!(skeleton("xin chao ban"), "xin chao ban");
    }

    #[test]
    fn fast_paths_agree_with_the_general_algorithm() {
        for text in [
            "book keeper",
            "hello world!!",
            "aa bb",
            "sh1t",
            "f.u.c.k",
            "x",
            "",
            "ngu  uu",
        ] {
            let mut general = String::new();
            let mut general_spans = Vec::new();
            let units = text.as_bytes();
            SkeletonBuilder::default().run(
                units,
                |i| (i as u32, i as u32 + 1),
                &mut general,
                Some(&mut general_spans),
            );
            let mut fast = String::new();
            let mut fast_spans = Vec::new();
            SkeletonBuilder::default().build(text, &mut fast, Some(&mut fast_spans));
            assert_eq!((fast, fast_spans), (general, general_spans), "{text:?}");
        }
    }

    /// Pseudo-random texts of `len` 1..=32 characters drawn from `alphabet`.
    fn random_texts(alphabet: &[char], count: usize, mut seed: u64) -> impl Iterator<Item = String> + '_ {
        (0..count).map(move |_| {
            seed = seed.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
            let len = (seed >> 59) as usize + 1;
            let mut text = String::new();
            let mut r = seed;
            for _ in 0..len {
                r = r.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
                text.push(alphabet[(r >> 33) as usize % alphabet.len()]);
            }
            text
        })
    }

    /// The bit masks against the byte-by-byte [`work`], and the ASCII fast paths against the
    /// general algorithm, on pseudo-random ASCII texts of every class, short and long (several
    /// 64-byte words, so that conditions across words are met).
    #[test]
    fn ascii_masks_agree_with_the_general_algorithm() {
        let alphabet: Vec<char> = "aabbcde  ..--_*/|+~^0134572689@$!,?\t".chars().collect();
        let mut builder = SkeletonBuilder::default();
        let mut seen = [0usize; 3];
        for (n, short) in random_texts(&alphabet, 100_000, 0x874).enumerate() {
            let text = if n % 4 == 0 { short.repeat(1 + n % 13) } else { short };
            let bytes = text.as_bytes();
            builder.masks.fill(bytes);
            let expected = ascii_work(bytes);
            seen[expected as usize] += 1;
            assert!(builder.masks.work() == expected, "{text:?}");
            let (mut fast, mut fast_spans) = (String::new(), Vec::new());
            builder.build(&text, &mut fast, Some(&mut fast_spans));
            let mut fast_only = String::new();
            builder.build(&text, &mut fast_only, None);
            let (mut general, mut general_spans) = (String::new(), Vec::new());
            builder.run(
                bytes,
                |i| (i as u32, i as u32 + 1),
                &mut general,
                Some(&mut general_spans),
            );
            assert_eq!((&fast, &fast_spans), (&general, &general_spans), "{text:?}");
            assert_eq!(fast_only, general, "{text:?}");
        }
        assert!(seen.iter().all(|&k| k > 1000), "{seen:?}");
    }

    /// [`classify`] against [`scalar_classify`] on every chunk of pseudo-random ASCII texts of
    /// every length up to 200 bytes (the last chunk padded), NUL and doubled bytes included.
    #[test]
    fn padded_chunks_are_classified_as_byte_by_byte() {
        let alphabet: Vec<u8> = b"aabbz  .._0134572689@$!,\t\0AZ~^|".to_vec();
        let mut seed = 0x9e37_u64;
        for len in 0..=200usize {
            for _ in 0..50 {
                let text: Vec<u8> = (0..len)
                    .map(|_| {
                        seed = seed.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
                        alphabet[(seed >> 33) as usize % alphabet.len()]
                    })
                    .collect();
                for (q, chunk) in text.chunks(64).enumerate() {
                    assert_eq!(classify(&text, q, chunk), scalar_classify(&text, q, chunk), "{text:?}");
                }
            }
        }
    }

    /// The SSE2 classes against [`ASCII_CLASS`], for every ASCII byte at every position.
    #[cfg(target_arch = "x86_64")]
    #[test]
    fn sse2_classes_are_the_table_s() {
        for shift in 0..65 {
            let window: Vec<u8> = (0..65u8).map(|i| (i * 7 + shift) % 128).collect();
            let [letter, leet, digit, separator, equal] = sse2::classify(&window);
            for (i, &c) in window[..64].iter().enumerate() {
                let class = ASCII_CLASS[c as usize];
                let bit = |m: u64| m >> i & 1 == 1;
                assert_eq!(bit(letter), class & LETTER != 0, "{c}");
                assert_eq!(bit(leet), class & (LETTER | UNIT) == UNIT, "{c}");
                assert_eq!(bit(digit), class & (LETTER | UNIT) == UNIT && c.is_ascii_digit(), "{c}");
                assert_eq!(bit(separator), class & SEPARATOR != 0, "{c}");
                assert_eq!(bit(equal), c == window[i + 1], "{c}");
            }
        }
        let same = [b'x'; 65];
        assert_eq!(sse2::classify(&same)[4], u64::MAX);
    }

    /// The gate ([`SkeletonBuilder::map_look_alikes`]) against the general algorithm on
    /// pseudo-random texts made of what each step looks at: letters (doubled or not), leetspeak
    /// characters, separators (ASCII and not), look-alikes (of letters, of separators, of
    /// punctuation), other non-ASCII characters.
    #[test]
    fn gate_agrees_with_the_general_algorithm() {
        let alphabet: Vec<char> = "abcdeé ..--_*/|+~^·•0134572@$!,?\u{201c}\u{2013}\u{2014}\u{2019}😀жсοａ\t"
            .chars()
            .collect();
        let homoglyphs = Homoglyphs::get();
        let mut gated = 0;
        let mut builder = SkeletonBuilder::default();
        let (mut chars, mut spans) = (Vec::new(), Vec::new());
        for text in random_texts(&alphabet, 200_000, 0x2021) {
            let (mut fast, mut fast_spans) = (String::new(), Vec::new());
            builder.build(&text, &mut fast, Some(&mut fast_spans));
            let mut fast_only = String::new();
            builder.build(&text, &mut fast_only, None);
            let (mut general, mut general_spans) = (String::new(), Vec::new());
            builder.build_chars(&text, homoglyphs, &mut general, Some(&mut general_spans));
            assert_eq!((&fast, &fast_spans), (&general, &general_spans), "{text:?}");
            assert_eq!(fast_only, general, "{text:?}");
            if !text.is_ascii() && builder.map_look_alikes(&text, homoglyphs, &mut chars, &mut spans) {
                gated += 1;
                assert_eq!(fast, chars.iter().collect::<String>(), "{text:?}");
            }
        }
        // Both sides of the gate were exercised.
        assert!(gated > 1000, "{gated}");
    }

    /// Texts just either side of the gate: the same non-ASCII text with and without the one
    /// feature that makes a step other than look-alikes change it.
    #[test]
    fn gate_edges() {
        let homoglyphs = Homoglyphs::get();
        let mut builder = SkeletonBuilder::default();
        let (mut chars, mut spans) = (Vec::new(), Vec::new());
        for (gate, text, skeleton_of_it) in [
            (true, "😀 xin chao 😀 2021", "😀 xin chao 😀 2021"),
            (false, "😀 xin chaoo 😀 2021", "😀 xin chao 😀 2021"), // doubled letter
            (false, "😀 sh1t 😀", "😀 shit 😀"),                    // leetspeak next to a letter
            (true, "😀 1 2 😀", "😀 1 2 😀"),
            (true, "😀 @thang wow! 😀", "😀 @thang wow! 😀"), // `@ !` beside a letter, not between
            (false, "😀 b!tch wow!! 😀", "😀 bitch wowi! 😀"), // between units                       // digits, but no letter and nothing joined
            (false, "😀 d.i.t 😀", "😀 dit 😀"),               // spaced out
            (false, "😀 d·i·t 😀", "😀 dit 😀"),               // spaced out with a non-ASCII separator
            (true, "😀 di·t 😀", "😀 di·t 😀"),                // a separator after a word
            (true, "😀 fuсk 😀", "😀 fuck 😀"),                // Cyrillic с: a look-alike only
            (false, "😀 fuссk 😀", "😀 fuck 😀"),              // two Cyrillic с: doubled once replaced
            (false, "😀 日日 😀", "😀 日 😀"),                 // no look-alike, but a doubled letter
            (true, "😀 日本 ok 😀", "😀 日本 ok 😀"),
            (true, "\u{201c}xin chao\u{201d}", "''xin chao''"), // quotation marks are look-alikes of ''
            (false, "x \u{2013} y", "x - y"),                   // an en dash is a look-alike of a separator
            (true, "xin \u{2013} chao", "xin - chao"),
        ] {
            assert_eq!(
                builder.map_look_alikes(text, homoglyphs, &mut chars, &mut spans),
                gate,
                "{text:?}"
            );
            let mut general = String::new();
            builder.build_chars(text, homoglyphs, &mut general, None);
            assert_eq!(general, skeleton_of_it, "{text:?}");
            assert_eq!(skeleton(text), general, "{text:?}");
        }
    }

    #[test]
    fn spans_cover_what_was_collapsed() {
        let mut out = String::new();
        let mut spans = Vec::new();
        SkeletonBuilder::default().build("x d.i.t y", &mut out, Some(&mut spans));
        assert_eq!(out, "x dit y");
        assert_eq!(spans[2], (2, 3));
        assert_eq!(spans[4], (6, 7));
        let mut out = String::new();
        let mut spans = Vec::new();
        SkeletonBuilder::default().build("nguuu!", &mut out, Some(&mut spans));
        assert_eq!(out, "ngu!");
        assert_eq!(spans[2], (2, 5));
    }
}
