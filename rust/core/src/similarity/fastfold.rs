//! Word hashes of a text's fold view without building the view: most posts are ASCII or
//! precomposed Latin (Vietnamese) with emoji and punctuation, and for those characters the
//! fold view is a per-character mapping (no neighbour changes it). A table of such characters,
//! computed once from [`normalise`] itself, gives each one's folded bytes and whether they are
//! word characters; a text with any other character (a combining mark, CJK, ...) returns
//! `false` so that the caller builds the full view. `tests` check that both agree.

use std::sync::OnceLock;

use crate::normalise::{is_default_ignorable, normalise, View};

/// Code point ranges whose fold is context-free (combining marks inside them excluded).
const RANGES: [(u32, u32); 9] = [
    (0x0080, 0x052F),   // Latin-1, Latin Extended-A/B, IPA, Greek, Cyrillic
    (0x1E00, 0x1FFF),   // Latin Extended Additional (Vietnamese), Greek Extended
    (0x2000, 0x206F),   // general punctuation (zero-width characters fold to nothing)
    (0x20A0, 0x20CF),   // currency (₫)
    (0x2190, 0x21FF),   // arrows
    (0x2600, 0x27BF),   // miscellaneous symbols, dingbats (❤, ✅)
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

/// Pushes `finish(fnv)` of each fold-view word of `text` onto `out` and returns `true`, or
/// returns `false` (with `out` in any state) when `text` needs the full fold view.
#[inline]
pub(super) fn fold_word_hashes(text: &str, out: &mut Vec<u64>, finish: impl Fn(u64) -> u64) -> bool {
    let bytes = text.as_bytes();
    let mut h = FNV_START;
    let mut in_word = false;
    let mut i = 0;
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
            } else if in_word {
                out.push(finish(h));
                in_word = false;
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
            _ => return false,
        }
    }
    if in_word {
        out.push(finish(h));
    }
    true
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

    fn fast(text: &str) -> Option<Vec<u64>> {
        let mut out = Vec::new();
        fold_word_hashes(text, &mut out, |h| h).then_some(out)
    }

    #[test]
    fn every_table_character_folds_as_the_view_does_in_context() {
        let contexts = ["a{}b", "{}", "x {} y", "Đ{}ệ", "{}{}", "1{}2", "😀{}❤", "ß{}\u{200B}"];
        let mut checked = 0;
        for &(lo, hi) in &RANGES {
            for c in (lo..=hi).filter_map(char::from_u32) {
                for context in contexts {
                    let text = context.replace("{}", &c.to_string());
                    if let Some(words) = fast(&text) {
                        assert_eq!(words, slow(&text), "{text:?} (U+{:04X})", c as u32);
                        checked += 1;
                    }
                }
            }
        }
        assert!(checked > 30_000, "{checked}");
    }

    #[test]
    fn posts_fold_as_the_view_does_and_others_fall_back() {
        for text in [
            "Tin nóng 🔥 SONG 5G lam lay lan virus corona!!! https://x.vn",
            "Nhà máy nước sông Đuống bị nhiễm độc, không được dùng nước máy ‼️",
            "ǅemal x² — “quoted” … İstanbul ΣΑΣ Ωμέγα Москва",
            "zero\u{200B}width\u{00AD}joined ❤️ 👍🏽 ₫100.000",
        ] {
            assert_eq!(fast(text).as_deref(), Some(slow(text).as_slice()), "{text:?}");
        }
        // Decomposed diacritics and scripts outside the table need the full view.
        assert_eq!(fast("Nha\u{0300} ma\u{0301}y"), None);
        assert_eq!(fast("中文 text"), None);
        assert_eq!(fast("ﬁx"), None);
    }

    #[test]
    fn random_texts_over_the_table_agree() {
        let alphabet: Vec<char> = "aZ9 ,.!-_éỆđĐưƠ\u{200B}\u{00AD}\u{FE0F}🔥😱❤…“ßǅİΣς€₫→"
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
            assert_eq!(fast(&text).as_deref(), Some(slow(&text).as_slice()), "{text:?}");
        }
    }
}
