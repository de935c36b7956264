//! Word hashes of a text's fold view without building the view: most posts are ASCII or
//! precomposed Latin (Vietnamese) with emoji and punctuation, and for those characters the
//! fold view is a per-character mapping (no neighbour changes it). A table of such characters,
//! computed once from [`normalise`] itself, gives each one's folded bytes and whether they are
//! word characters. A run of text between ASCII whitespace holding any other character (a
//! combining mark, ...) is folded by [`normalise`] instead: nothing folds across a space, so
//! the words are the same. `tests` check that both agree.

use std::sync::OnceLock;

use crate::normalise::{is_default_ignorable, normalise, View};

/// Code point ranges whose fold is context-free (combining marks inside them excluded).
const RANGES: [(u32, u32); 11] = [
    (0x0080, 0x06FF),   // Latin-1, Latin Extended-A/B, IPA, Greek, Cyrillic, Armenian, Hebrew, Arabic
    (0x1E00, 0x1FFF),   // Latin Extended Additional (Vietnamese), Greek Extended
    (0x2000, 0x206F),   // general punctuation (zero-width characters fold to nothing)
    (0x20A0, 0x20CF),   // currency (₫)
    (0x2190, 0x22FF),   // arrows, mathematical operators (−)
    (0x2600, 0x27BF),   // miscellaneous symbols, dingbats (❤, ✅)
    (0x3000, 0x303F),   // CJK punctuation
    (0x4E00, 0x9FFF),   // CJK unified ideographs (Hán tự in articles)
    (0xFE00, 0xFE0F),   // variation selectors (fold to nothing)
    (0x1F300, 0x1F5FF), // pictographs
    (0x1F600, 0x1FAFF), // emoticons, transport, supplemental symbols
];

const KIND_SHIFT: u32 = 30;
const SLOW: u32 = 0;
const SEP: u32 = 1;
const EMPTY: u32 = 2;
const WORD: u32 = 3;

struct Table {
    /// Per range, per code point: kind (2 bits), folded length (6 bits), offset in `pool`.
    entries: Vec<Vec<u32>>,
    pool: Vec<u8>,
}

fn table() -> &'static Table {
    static TABLE: OnceLock<Table> = OnceLock::new();
    TABLE.get_or_init(|| {
        let mut pool = Vec::new();
        let entries = RANGES
            .iter()
            .map(|&(lo, hi)| {
                (lo..=hi)
                    .map(|cp| {
                        let Some(c) = char::from_u32(cp) else { return SLOW };
                        // Marks may combine with what precedes them; default-ignorable ones
                        // (variation selectors) are dropped by every view whatever precedes.
                        let mark = unicode_normalization::char::is_combining_mark(c)
                            || unicode_normalization::char::canonical_combining_class(c) != 0;
                        if mark && !is_default_ignorable(c) {
                            return SLOW;
                        }
                        let folded = normalise(View::Fold, c.encode_utf8(&mut [0; 4]));
                        let word = folded.chars().filter(|c| c.is_alphanumeric()).count();
                        let kind = match (folded.is_empty(), word) {
                            (true, _) => return EMPTY << KIND_SHIFT,
                            (false, 0) => return SEP << KIND_SHIFT,
                            (false, n) if n == folded.chars().count() && folded.len() < 64 => WORD,
                            _ => return SLOW,
                        };
                        let entry = (kind << KIND_SHIFT) | ((folded.len() as u32) << 24) | pool.len() as u32;
                        pool.extend_from_slice(folded.as_bytes());
                        entry
                    })
                    .collect()
            })
            .collect();
        Table { entries, pool }
    })
}

impl Table {
    #[inline]
    fn entry(&self, cp: u32) -> u32 {
        for (i, &(lo, hi)) in RANGES.iter().enumerate() {
            if cp < lo {
                return SLOW;
            }
            if cp <= hi {
                return self.entries[i][(cp - lo) as usize];
            }
        }
        SLOW
    }
}

const FNV_START: u64 = 0xcbf2_9ce4_8422_2325;
const FNV_PRIME: u64 = 0x0000_0100_0000_01b3;

/// Pushes `finish(fnv)` of each fold-view word of `text` onto `out`.
#[inline]
pub(super) fn fold_word_hashes(text: &str, out: &mut Vec<u64>, finish: impl Fn(u64) -> u64) {
    let bytes = text.as_bytes();
    let mut h = FNV_START;
    let mut in_word = false;
    let mut i = 0;
    // Where the current whitespace-delimited run starts, and how many words came before it.
    let (mut run_start, mut run_words) = (0, out.len());
    let mut lookup: Option<&Table> = None;
    while i < bytes.len() {
        let b = bytes[i];
        if b < 0x80 {
            i += 1;
            if b.is_ascii_alphanumeric() {
                if !in_word {
                    h = FNV_START;
                    in_word = true;
                }
                h = (h ^ b.to_ascii_lowercase() as u64).wrapping_mul(FNV_PRIME);
                continue;
            }
            if in_word {
                out.push(finish(h));
                in_word = false;
            }
            if b.is_ascii_whitespace() {
                (run_start, run_words) = (i, out.len());
            }
            continue;
        }
        let (cp, len) = match b {
            0xC0..=0xDF => (((b & 0x1F) as u32) << 6 | (bytes[i + 1] & 0x3F) as u32, 2),
            0xE0..=0xEF => (
                ((b & 0x0F) as u32) << 12 | ((bytes[i + 1] & 0x3F) as u32) << 6 | (bytes[i + 2] & 0x3F) as u32,
                3,
            ),
            _ => (
                ((b & 0x07) as u32) << 18
                    | ((bytes[i + 1] & 0x3F) as u32) << 12
                    | ((bytes[i + 2] & 0x3F) as u32) << 6
                    | (bytes[i + 3] & 0x3F) as u32,
                4,
            ),
        };
        i += len;
        let t = *lookup.get_or_insert_with(table);
        let entry = t.entry(cp);
        match entry >> KIND_SHIFT {
            WORD => {
                if !in_word {
                    h = FNV_START;
                    in_word = true;
                }
                let (len, at) = (((entry >> 24) & 0x3F) as usize, (entry & 0xFF_FFFF) as usize);
                for &f in &t.pool[at..at + len] {
                    h = (h ^ f as u64).wrapping_mul(FNV_PRIME);
                }
            }
            SEP => {
                if in_word {
                    out.push(finish(h));
                    in_word = false;
                }
            }
            EMPTY => {}
            _ => {
                // Redo the whole run through the fold view.
                out.truncate(run_words);
                let end = bytes[i..]
                    .iter()
                    .position(u8::is_ascii_whitespace)
                    .map_or(bytes.len(), |n| i + n);
                let fold = normalise(View::Fold, &text[run_start..end]);
                for word in fold.split(|c: char| !c.is_alphanumeric()).filter(|w| !w.is_empty()) {
                    out.push(finish(fnv(word.as_bytes())));
                }
                in_word = false;
                i = end;
            }
        }
    }
    if in_word {
        out.push(finish(h));
    }
}

/// FNV-1a of `bytes` before [`fold_word_hashes`]' `finish`.
#[inline]
pub(super) fn fnv(bytes: &[u8]) -> u64 {
    let mut h = FNV_START;
    for &b in bytes {
        h = (h ^ b as u64).wrapping_mul(FNV_PRIME);
    }
    h
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The words of the full fold view, as [`fold_word_hashes`] would hash them.
    fn slow(text: &str) -> Vec<u64> {
        let fold = normalise(View::Fold, text);
        let mut out = Vec::new();
        let mut start = None;
        for (i, c) in fold.char_indices().chain(std::iter::once((fold.len(), ' '))) {
            match (start, c.is_alphanumeric()) {
                (None, true) => start = Some(i),
                (Some(s), false) => {
                    out.push(fnv(&fold.as_bytes()[s..i]));
                    start = None;
                }
                _ => {}
            }
        }
        out
    }

    fn fast(text: &str) -> Vec<u64> {
        let mut out = Vec::new();
        fold_word_hashes(text, &mut out, |h| h);
        out
    }

    #[test]
    fn every_table_character_folds_as_the_view_does_in_context() {
        let contexts = ["a{}b", "{}", "x {} y", "Đ{}ệ", "{}{}", "1{}2", "😀{}❤", "ß{}\u{200B}"];
        let mut checked = 0;
        for &(lo, hi) in &RANGES {
            for c in (lo..=hi).filter_map(char::from_u32) {
                for context in contexts {
                    let text = context.replace("{}", &c.to_string());
                    assert_eq!(fast(&text), slow(&text), "{text:?} (U+{:04X})", c as u32);
                    checked += 1;
                }
            }
        }
        assert!(checked > 100_000, "{checked}");
    }

    #[test]
    fn posts_fold_as_the_view_does_with_or_without_the_table() {
        for text in [
            "Tin nóng 🔥 SONG 5G lam lay lan virus corona!!! https://x.vn",
            "Nhà máy nước sông Đuống bị nhiễm độc, không được dùng nước máy ‼️",
            "ǅemal ﬁx² — “quoted” … İstanbul ΣΑΣ Ωμέγα Москва −5",
            "zero\u{200B}width\u{00AD}joined ❤️ 👍🏽 ₫100.000",
            // Decomposed diacritics and characters outside the table: their runs are folded
            // by the view, the rest by the table.
            "Nha\u{0300} ma\u{0301}y nước\tsô\u{0301}ng ﬁx 中文 한국어 \u{0301}a",
        ] {
            assert_eq!(fast(text), slow(text), "{text:?}");
        }
    }

    #[test]
    fn random_texts_over_the_table_agree() {
        let alphabet: Vec<char> =
            "aZ9 \t,.!-_éỆđĐưƠ\u{200B}\u{00AD}\u{FE0F}🔥😱❤…“ßǅİΣς€₫→\u{0301}\u{0323}ﬁ中한ㅏ\u{1100}\u{1161}ا\u{064E}"
                .chars()
                .collect();
        let mut state = 0x2545_f491_4f6c_dd1du64;
        for _ in 0..20_000 {
            let mut text = String::new();
            for _ in 0..(state % 12) {
                state ^= state << 13;
                state ^= state >> 7;
                state ^= state << 17;
                text.push(alphabet[(state % alphabet.len() as u64) as usize]);
            }
            assert_eq!(fast(&text), slow(&text), "{text:?}");
        }
    }
}
