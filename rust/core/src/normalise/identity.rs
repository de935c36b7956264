//! Texts that can be scanned as they are, without building their exact and casefold views.
//!
//! Most posts are NFC text without invisible characters, and their case folding changes each
//! character into one character of the same UTF-8 length that is a case variant of it (`Đ` →
//! `đ`, `A` → `a`). For such a text the exact view *is* the text, and the casefold view is the
//! text with every character replaced by a case variant, byte offsets unchanged. A database
//! compiled caseless finds at the same offsets in the text what it finds in the casefold view
//! (caseless matching does not tell case variants apart, and word characters stay word
//! characters), so the scanner scans such texts directly with identity offsets.

use std::sync::OnceLock;

use super::chars::{is_default_ignorable, is_word_char, CharTable};
use super::View;

/// Whether `c` folds to one character of its own length that is a case variant of it (or to
/// itself), needs no NFC change, composes with nothing before it and is not invisible.
pub fn case_variant(c: char) -> bool {
    if c.is_ascii() {
        return true;
    }
    let table = CharTable::get();
    if !table.starts_segment(c) || is_default_ignorable(c) || !CharTable::covers(c) {
        return false;
    }
    if table.form(c, View::Exact).is_some() {
        return false;
    }
    let Some(form) = table.form(c, View::Casefold) else {
        return true;
    };
    let Ok(folded) = std::str::from_utf8(form) else {
        return false;
    };
    let mut chars = folded.chars();
    let (Some(f), None) = (chars.next(), chars.next()) else {
        return false;
    };
    // Case pairs that Hyperscan's caseless matching knows: its Unicode tables are older than
    // ours (U+1C89, added in Unicode 16, is not folded by libhs 5.4), so text with another
    // changed letter gets its casefold view built.
    let u = c as u32;
    if !((0x80..0x530).contains(&u) || (0x1E00..0x2000).contains(&u)) {
        return false;
    }
    let mut lower = c.to_lowercase();
    f.len_utf8() == c.len_utf8()
        && lower.next() == Some(f)
        && lower.next().is_none()
        && f.to_uppercase().eq(c.to_uppercase())
        && is_word_char(f) == is_word_char(c)
}

/// [`case_variant`] for every BMP character, one bit each.
fn table() -> &'static [u64] {
    static TABLE: OnceLock<Vec<u64>> = OnceLock::new();
    TABLE.get_or_init(|| {
        let mut bits = vec![0u64; 0x10000 / 64];
        for u in 0..0x10000u32 {
            if char::from_u32(u).is_some_and(case_variant) {
                bits[u as usize / 64] |= 1 << (u % 64);
            }
        }
        bits
    })
}

/// Whether `text` is its own exact view and, character for character, a case variant of its
/// casefold view (see the module documentation).
pub fn is_view_of_itself(text: &str) -> bool {
    let bytes = text.as_bytes();
    // Scan ASCII a word at a time; decode only the rest.
    let mut at = 0;
    let n = bytes.len();
    let table = table();
    while at < n {
        if at + 8 <= n {
            let word = u64::from_le_bytes(bytes[at..at + 8].try_into().unwrap_or_default());
            let high = word & 0x8080_8080_8080_8080;
            if high == 0 {
                at += 8;
                continue;
            }
            // Straight to the first non-ASCII byte of the word (a lead byte: `at` is at a
            // character boundary). Vietnamese has one in most words, and going byte by byte
            // to it made this pass cost as much as the casefold database's scan (dense
            // matches, `perf`).
            at += (high.trailing_zeros() / 8) as usize;
        } else if bytes[at] < 0x80 {
            at += 1;
            continue;
        }
        let b = bytes[at];
        let (u, len) = match b {
            0xC0..=0xDF => (((b & 0x1F) as u32) << 6 | (bytes[at + 1] & 0x3F) as u32, 2),
            0xE0..=0xEF => (
                ((b & 0x0F) as u32) << 12 | ((bytes[at + 1] & 0x3F) as u32) << 6 | (bytes[at + 2] & 0x3F) as u32,
                3,
            ),
            _ => return false,
        };
        if table[u as usize / 64] & (1 << (u % 64)) == 0 {
            return false;
        }
        at += len;
    }
    true
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::normalise::{ViewSet, ViewTexts};

    #[test]
    fn common_text_is_its_own_view() {
        assert!(is_view_of_itself("Đồ ngu! HELLO world 123"));
        assert!(is_view_of_itself("Người Việt Nam, ĐỒ NGU"));
        assert!(is_view_of_itself(""));
        for text in [
            "e\u{0301}",  // decomposed: NFC changes it
            "a\u{200B}b", // invisible
            "Straße",     // folds to two letters
            "ＦＵＣＫ",   // fullwidth: NFKC changes it
            "\u{212A}",   // Kelvin sign: NFC changes it
            "İ",          // folds to two characters
            "😀",         // astral: not answered by the table
        ] {
            assert!(!is_view_of_itself(text), "{text:?}");
        }
    }

    /// For every accepted character, the casefold view of a text made of it is the text with
    /// each character replaced by a variant of the same length.
    #[test]
    fn accepted_characters_keep_their_offsets() {
        let mut views = ViewTexts::default();
        let mut text = String::new();
        for u in 0x80..0x10000u32 {
            if let Some(c) = char::from_u32(u).filter(|&c| case_variant(c)) {
                text.push(c);
                text.push(' ');
            }
        }
        assert!(is_view_of_itself(&text));
        views.build(
            &text,
            ViewSet::of(View::Exact).union(ViewSet::of(View::Casefold)),
            false,
        );
        assert_eq!(views.text(View::Exact), text);
        let folded = views.text(View::Casefold);
        assert_eq!(folded.len(), text.len());
        for ((i, c), (j, f)) in text.char_indices().zip(folded.char_indices()) {
            assert_eq!(i, j, "{c:?} -> {f:?}");
        }
    }

    /// The word-at-a-time loop against a character-by-character reading, on texts of ASCII
    /// runs of every length mixed with accepted and refused characters at every alignment.
    #[test]
    fn agrees_with_a_character_by_character_reading() {
        let pieces = [
            "a",
            "ab ",
            "abcdefg",
            "abcdefghijklmno ",
            "đ",
            "ệ",
            "Ư",
            "ĐỒ",
            "\u{200B}",
            "e\u{0301}",
            "😀",
            "ß",
        ];
        let mut seed = 0x9E37_79B9_7F4A_7C15u64;
        for _ in 0..20_000 {
            let mut text = String::new();
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            let mut bits = seed;
            for _ in 0..(bits % 12) {
                bits = bits.rotate_left(5) ^ seed;
                let piece = pieces[(bits % pieces.len() as u64) as usize];
                // Refused pieces are rare, so that most texts are accepted up to their end.
                if piece.chars().any(|c| !case_variant(c) || c as u32 > 0xFFFF) && bits % 7 != 0 {
                    continue;
                }
                text.push_str(piece);
            }
            let reference = text.chars().all(|c| (c as u32) <= 0xFFFF && case_variant(c));
            assert_eq!(is_view_of_itself(&text), reference, "{text:?}");
        }
    }
}
