//! Character classes and per-character normalisation.
//!
//! Building the views is the hot loop of the scanner, so the common case (a character that is
//! its own normalisation segment, which is every character of NFC Vietnamese or English text) is
//! answered from a table computed once for the whole Basic Multilingual Plane. Everything else
//! (decomposed input, emoji with variation selectors, astral letters) takes the slow path, which
//! applies the definitions literally.

use std::sync::OnceLock;

use icu_casemap::CaseMapper;
use unicode_general_category::{get_general_category, GeneralCategory};
use unicode_normalization::char::{canonical_combining_class, is_combining_mark};
use unicode_normalization::UnicodeNormalization;

/// Default_Ignorable_Code_Point (DerivedCoreProperties.txt): zero-width characters, soft hyphen,
/// bidi controls, variation selectors, tags. Invisible, so users slip them inside words.
pub fn is_default_ignorable(c: char) -> bool {
    matches!(c as u32,
        0x00AD | 0x034F | 0x061C | 0x115F..=0x1160 | 0x17B4..=0x17B5 | 0x180B..=0x180F
        | 0x200B..=0x200F | 0x202A..=0x202E | 0x2060..=0x206F | 0x3164 | 0xFE00..=0xFE0F
        | 0xFEFF | 0xFFA0 | 0xFFF0..=0xFFF8 | 0x1BCA0..=0x1BCA3 | 0x1D173..=0x1D17A
        | 0xE0000..=0xE0FFF)
}

/// Letters, marks and digits (general categories L*, M*, N*): what a whole-word match may not
/// touch. Hyperscan has no `\b` in UCP mode, so word boundaries are checked with this.
pub fn is_word_char(c: char) -> bool {
    if c.is_ascii() {
        return c.is_ascii_alphanumeric();
    }
    use GeneralCategory::*;
    matches!(
        get_general_category(c),
        UppercaseLetter
            | LowercaseLetter
            | TitlecaseLetter
            | ModifierLetter
            | OtherLetter
            | NonspacingMark
            | SpacingMark
            | EnclosingMark
            | DecimalNumber
            | LetterNumber
            | OtherNumber
    )
}

/// Letters (general category L*).
pub fn is_letter(c: char) -> bool {
    if c.is_ascii() {
        return c.is_ascii_alphabetic();
    }
    use GeneralCategory::*;
    matches!(
        get_general_category(c),
        UppercaseLetter | LowercaseLetter | TitlecaseLetter | ModifierLetter | OtherLetter
    )
}

/// Whether `c` begins a new normalisation segment: normalisation never combines it with what
/// precedes it, so text can be normalised one segment at a time with exact offsets.
pub fn starts_segment(c: char) -> bool {
    let u = c as u32;
    if u < 0x300 {
        return true;
    }
    // Hangul medial vowels and final consonants compose with the preceding syllable.
    let hangul_vt = (0x1161..=0x11C2).contains(&u);
    canonical_combining_class(c) == 0 && !is_combining_mark(c) && !hangul_vt
}

/// `exact` view of one segment: NFC.
pub fn exact_segment(seg: &str, out: &mut String) {
    out.extend(seg.nfc());
}

/// `casefold` view of one segment: NFKC, full case folding, NFKC again (folding can
/// denormalise), default-ignorable code points removed.
pub fn casefold_segment(seg: &str, out: &mut String) {
    let visible: String = seg.chars().filter(|&c| !is_default_ignorable(c)).nfkc().collect();
    let folded = CaseMapper::new().fold_string(&visible);
    out.extend(folded.nfkc().filter(|&c| !is_default_ignorable(c)));
}

/// `fold` view of one segment: the casefold view with every mark removed after canonical
/// decomposition, and đ written d (đ has no decomposition).
pub fn fold_segment(seg: &str, out: &mut String) {
    let mut casefolded = String::new();
    casefold_segment(seg, &mut casefolded);
    let bare: String = casefolded
        .nfd()
        .filter(|&c| !is_combining_mark(c))
        .map(|c| if c == 'đ' { 'd' } else { c })
        .collect();
    out.extend(bare.nfc());
}

/// Where a character's normalised form lives in the table's string pool.
#[derive(Clone, Copy)]
struct Slot {
    offset: u32,
    len: u8,
}

/// `len` value marking a character that is its own normalised form.
const SAME: u8 = u8::MAX;

#[derive(Clone, Copy)]
struct Entry {
    exact: Slot,
    casefold: Slot,
    fold: Slot,
    starts_segment: bool,
}

/// Normalised forms of every BMP character taken as a segment of its own.
pub struct CharTable {
    entries: Vec<Entry>,
    pool: String,
}

/// Upper bound (exclusive) of the characters the table covers.
const TABLE_END: u32 = 0x10000;

impl CharTable {
    /// The table, computed on first use (about 60 ms).
    pub fn get() -> &'static CharTable {
        static TABLE: OnceLock<CharTable> = OnceLock::new();
        TABLE.get_or_init(CharTable::build)
    }

    fn build() -> CharTable {
        let mut pool = String::new();
        let mut entries = Vec::with_capacity(TABLE_END as usize);
        let mut buf = String::new();
        let mut slot = |c: char, f: fn(&str, &mut String), pool: &mut String| {
            buf.clear();
            let mut tmp = [0u8; 4];
            f(c.encode_utf8(&mut tmp), &mut buf);
            let mut one = buf.chars();
            if one.next() == Some(c) && one.next().is_none() {
                return Slot { offset: 0, len: SAME };
            }
            let offset = pool.len() as u32;
            pool.push_str(&buf);
            Slot {
                offset,
                len: buf.len() as u8,
            }
        };
        for u in 0..TABLE_END {
            let c = char::from_u32(u).unwrap_or('\u{FFFD}');
            entries.push(Entry {
                exact: slot(c, exact_segment, &mut pool),
                casefold: slot(c, casefold_segment, &mut pool),
                fold: slot(c, fold_segment, &mut pool),
                starts_segment: starts_segment(c),
            });
        }
        CharTable { entries, pool }
    }

    /// Whether `c` is answered by the table.
    #[inline]
    pub fn covers(c: char) -> bool {
        (c as u32) < TABLE_END
    }

    /// [`starts_segment`], answered from the table for BMP characters.
    #[inline]
    pub fn starts_segment(&self, c: char) -> bool {
        match self.entries.get(c as usize) {
            Some(entry) => entry.starts_segment,
            None => starts_segment(c),
        }
    }

    /// The form of `c` in `view` (exact, casefold or fold), or `None` when it is `c` itself.
    /// Characters outside the table (emoji) are always themselves.
    #[inline]
    pub fn form(&self, c: char, view: super::View) -> Option<&[u8]> {
        let entry = self.entries.get(c as usize)?;
        let slot = match view {
            super::View::Exact => entry.exact,
            super::View::Casefold => entry.casefold,
            _ => entry.fold,
        };
        let start = slot.offset as usize;
        (slot.len != SAME).then(|| &self.pool.as_bytes()[start..start + slot.len as usize])
    }
}

/// Emoji and pictographs outside the BMP: no case, no decomposition, nothing to strip, so every
/// view keeps them as they are without the slow path.
#[inline]
pub fn is_inert_astral(c: char) -> bool {
    (0x1F000..=0x1FAFF).contains(&(c as u32))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn view(f: fn(&str, &mut String), s: &str) -> String {
        let mut out = String::new();
        f(s, &mut out);
        out
    }

    #[test]
    fn table_agrees_with_the_slow_path() {
        let table = CharTable::get();
        for c in ['A', 'é', 'Ệ', 'Đ', 'ß', 'ﬁ', '\u{200B}', 'Å', 'Ω', 'ｆ', 'с', 'İ'] {
            let s = c.to_string();
            let form = |view| String::from_utf8(table.form(c, view).unwrap_or(s.as_bytes()).to_vec()).unwrap();
            let (a, b, d) = (
                form(super::super::View::Exact),
                form(super::super::View::Casefold),
                form(super::super::View::Fold),
            );
            assert_eq!(a, view(exact_segment, &s), "exact {c:?}");
            assert_eq!(b, view(casefold_segment, &s), "casefold {c:?}");
            assert_eq!(d, view(fold_segment, &s), "fold {c:?}");
        }
    }

    #[test]
    fn segment_views() {
        assert_eq!(view(casefold_segment, "Ệ"), "ệ");
        assert_eq!(view(casefold_segment, "ß"), "ss");
        assert_eq!(view(casefold_segment, "ｆ"), "f");
        assert_eq!(view(casefold_segment, "\u{200B}"), "");
        assert_eq!(view(casefold_segment, "e\u{0302}\u{0323}"), "ệ");
        assert_eq!(view(fold_segment, "Ệ"), "e");
        assert_eq!(view(fold_segment, "Đ"), "d");
        assert_eq!(view(fold_segment, "ư"), "u");
        assert_eq!(view(exact_segment, "e\u{0302}\u{0323}"), "ệ");
    }

    #[test]
    fn classes() {
        assert!(is_word_char('ệ') && is_word_char('7') && is_word_char('\u{0301}'));
        assert!(!is_word_char(' ') && !is_word_char('_') && !is_word_char('😀'));
        assert!(is_default_ignorable('\u{200B}') && is_default_ignorable('\u{00AD}'));
        assert!(starts_segment('a') && !starts_segment('\u{0301}'));
    }
}
