//! The fold view of common text in one pass of one table lookup per character, and whether
//! the text is its own exact and casefold view ([`super::is_view_of_itself`]) on the way.
//!
//! Every scan builds the fold view of every post that is not ASCII (the skeleton view is made
//! from it), so this is the hottest loop of view building. [`super::ViewTexts::build`] is
//! general (any set of views, offset maps, decomposed input); this path covers only the text
//! it can write character by character: each character a normalisation segment of its own
//! that is not invisible and whose fold form is at most 3 bytes. It gives up on anything else
//! (a combining mark, a zero-width space, ...), and the general path builds that text instead.

use std::sync::OnceLock;

use super::chars::{is_default_ignorable, is_inert_astral, CharTable};
use super::identity::case_variant;
use super::View;

/// Per BMP character: its fold form (up to 3 bytes, little-endian in bits 0..24), the form's
/// length (bits 24..26), [`case_variant`] (bit 30) and whether this path may write it (bit 31).
fn table() -> &'static [u32] {
    static TABLE: OnceLock<Vec<u32>> = OnceLock::new();
    TABLE.get_or_init(|| {
        let chars = CharTable::get();
        (0..0x10000u32)
            .map(|u| {
                let Some(c) = char::from_u32(u) else { return 0 };
                if !chars.starts_segment(c) || is_default_ignorable(c) {
                    return 0;
                }
                let mut own = [0u8; 4];
                let form = chars.form(c, View::Fold).unwrap_or(c.encode_utf8(&mut own).as_bytes());
                if form.is_empty() || form.len() > 3 {
                    return 0;
                }
                let packed = form.iter().rev().fold(0u32, |acc, &b| acc << 8 | u32::from(b));
                FAST | u32::from(case_variant(c)) << 30 | (form.len() as u32) << 24 | packed
            })
            .collect()
    })
}

const FAST: u32 = 1 << 31;
const CASE_VARIANT: u32 = 1 << 30;

/// Eight ASCII bytes lowercased: 0x20 added to each byte in `A..=Z`.
#[inline]
fn ascii_lowercase(word: u64) -> u64 {
    const ONES: u64 = 0x0101_0101_0101_0101;
    // The high bit of each byte: set from `A` on, and set past `Z` (bytes are below 0x80).
    let from_a = word + ONES * (0x80 - b'A' as u64);
    let past_z = word + ONES * (0x80 - b'Z' as u64 - 1);
    let upper = from_a & !past_z & (ONES * 0x80);
    word | upper >> 2
}

/// Appends the fold view of `text` to `out` and returns whether `text` is its own exact and
/// casefold view, or returns `None` (with `out` in any state) when `text` holds a character
/// this path does not write.
pub fn fold(text: &str, out: &mut Vec<u8>) -> Option<bool> {
    let table = table();
    let bytes = text.as_bytes();
    let n = bytes.len();
    // Every step reads `k` bytes of text, keeps at most `2 * k` bytes (a two-byte character
    // folds to at most three) and stores 8 bytes from the end of what is kept: so all stores
    // fall within `2 * n + 8` bytes past `out`'s length, and are made without a capacity check.
    out.reserve(2 * n + 8);
    let dst = out.as_mut_ptr();
    let mut len = out.len();
    // SAFETY (every `store`): `len + 8 <= out.capacity()` by the bound above, since `len` has
    // grown by at most `2 * at` and `at < n` at every store.
    let store = |len: usize, value: u64| unsafe { dst.add(len).cast::<u64>().write_unaligned(value.to_le()) };
    let mut itself = true;
    let mut at = 0;
    while at < n {
        // ASCII: eight bytes at a time. When some of the eight are not ASCII, the ASCII bytes
        // before the first of them (Vietnamese runs are short) are written in the same step:
        // all eight bytes are lowercased and stored, and only those are kept. They are right,
        // as a carry of the addition in `ascii_lowercase` only runs towards later bytes, and
        // none leaves an ASCII byte.
        if let Some(word) = bytes.get(at..at + 8) {
            let word = u64::from_le_bytes(word.try_into().unwrap_or_default());
            let high = word & 0x8080_8080_8080_8080;
            let ascii = if high == 0 {
                8
            } else {
                high.trailing_zeros() as usize / 8
            };
            if ascii > 0 {
                store(len, ascii_lowercase(word));
                len += ascii;
                at += ascii;
                continue;
            }
        } else if bytes[at] < 0x80 {
            store(len, u64::from(bytes[at].to_ascii_lowercase()));
            len += 1;
            at += 1;
            continue;
        }
        let b = bytes[at];
        if b >= 0xF0 {
            // Astral: emoji that every view keeps as they are, and nothing else.
            let c = text[at..].chars().next()?;
            if !is_inert_astral(c) {
                return None;
            }
            let mut four = [0u8; 8];
            four[..4].copy_from_slice(&bytes[at..at + 4]);
            store(len, u64::from_le_bytes(four));
            len += 4;
            itself = false;
            at += 4;
            continue;
        }
        // Two or three bytes, decoded without a branch on which (Vietnamese mixes both).
        let three = b >= 0xE0;
        let (b1, b2) = (
            u32::from(bytes[at + 1]) & 0x3F,
            u32::from(*bytes.get(at + 2).unwrap_or(&0)) & 0x3F,
        );
        let u = if three {
            (u32::from(b) & 0x0F) << 12 | b1 << 6 | b2
        } else {
            (u32::from(b) & 0x1F) << 6 | b1
        };
        let entry = table[u as usize];
        if entry & FAST == 0 {
            return None;
        }
        itself &= entry & CASE_VARIANT != 0;
        // The form's bytes stored with the length byte after them, and only the form kept.
        store(len, u64::from(entry & 0x00FF_FFFF));
        len += (entry >> 24 & 3) as usize;
        at += 2 + usize::from(three);
    }
    debug_assert!(len <= out.capacity());
    // SAFETY: every byte up to `len` was stored above, and `len <= capacity` (see `store`).
    unsafe { out.set_len(len) };
    Some(itself)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::normalise::{is_view_of_itself, ViewSet, ViewTexts};

    /// The views and the answer of [`ViewTexts::build_for_scan`] against [`ViewTexts::build`]
    /// and [`is_view_of_itself`], for every set of views.
    fn check(text: &str, fast: &mut ViewTexts, general: &mut ViewTexts) {
        let itself = is_view_of_itself(text);
        for bits in 1..16u8 {
            let scanned: ViewSet = View::ALL.into_iter().filter(|&v| bits & (1 << v as u8) != 0).collect();
            assert_eq!(fast.build_for_scan(text, scanned), itself, "{text:?}");
            general.build(text, scanned, false);
            for v in scanned.iter() {
                if !(itself && v <= View::Casefold) {
                    assert_eq!(fast.text(v), general.text(v), "{v} of {text:?}");
                }
            }
            if scanned.contains(View::Skeleton) {
                assert_eq!(fast.text(View::Fold), general.text(View::Fold), "fold of {text:?}");
            }
        }
    }

    /// Every BMP character, between ASCII letters and after a capital, through both paths.
    #[test]
    fn ascii_words_are_lowercased() {
        for bytes in [*b"AZaz@[`{", *b"Hello Wo", *b"\0\x7F?_^~MN"] {
            let word = u64::from_le_bytes(bytes);
            assert_eq!(
                ascii_lowercase(word).to_le_bytes(),
                bytes.to_ascii_lowercase().as_slice()
            );
        }
        for b in 0..0x80u8 {
            let word = u64::from_le_bytes([b; 8]);
            assert_eq!(ascii_lowercase(word).to_le_bytes(), [b.to_ascii_lowercase(); 8]);
        }
    }

    #[test]
    fn every_character_agrees_with_the_general_path() {
        let (mut fast, mut general) = (ViewTexts::default(), ViewTexts::default());
        let mut taken = 0;
        for u in 0x80..0x10000u32 {
            let Some(c) = char::from_u32(u) else { continue };
            taken += usize::from(table()[u as usize] & FAST != 0);
            let text = format!("Ab{c}cĐ{c}");
            let itself = is_view_of_itself(&text);
            let mut out = Vec::new();
            if let Some(answer) = fold(&text, &mut out) {
                assert_eq!(answer, itself, "{text:?}");
                general.build(&text, ViewSet::of(View::Fold), false);
                assert_eq!(out, general.text(View::Fold).as_bytes(), "{text:?}");
            }
        }
        // Most of the BMP takes this path (CJK, Hangul, Latin, Cyrillic, punctuation, ...).
        assert!(taken > 50_000, "{taken}");
        for text in ["", "a", "Đồ ngu 😀", "😀", "x\u{1F100}"] {
            check(text, &mut fast, &mut general);
        }
    }

    /// Pseudo-random texts of common and uncommon characters: Vietnamese precomposed and
    /// decomposed, invisible characters, emoji with variation selectors, ligatures, capitals.
    #[test]
    fn random_texts_agree_with_the_general_path() {
        let alphabet: Vec<char> = "aZ .,đĐồỆệươ\u{0301}\u{0323}\u{200B}\u{00AD}😀\u{FE0F}ﬁßİ“–…ＡΣς日\u{1F130}\n"
            .chars()
            .collect();
        let (mut fast, mut general) = (ViewTexts::default(), ViewTexts::default());
        let mut seed = 0x10_u64;
        for _ in 0..20_000 {
            seed = seed.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
            let mut r = seed;
            let text: String = (0..(seed >> 59) as usize + 1)
                .map(|_| {
                    r = r.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
                    alphabet[(r >> 33) as usize % alphabet.len()]
                })
                .collect();
            check(&text, &mut fast, &mut general);
        }
    }
}
