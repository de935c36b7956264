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
use unicode_normalization::{is_nfkc_quick, IsNormalized, UnicodeNormalization};

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

/// Whether `c` begins a new normalisation segment: normalisation never combines it (or what
/// it maps to) with what precedes it, so text can be normalised one segment at a time with
/// exact offsets. From the normalisation data: `c` and the first character of its casefold
/// form must be starters (canonical combining class 0, not a mark) that never compose with a
/// preceding character (NFKC_Quick_Check is not Maybe). The second condition catches the
/// characters whose compatibility form composes backwards: halfwidth katakana sound marks
/// (U+FF9E → U+3099) and Hangul compatibility jamo (U+314F → U+1161).
pub fn starts_segment(c: char) -> bool {
    if (c as u32) < 0x300 {
        return true;
    }
    if !is_plain_starter(c) {
        return false;
    }
    let mut folded = String::new();
    nfkc_casefold_char(c, &mut folded);
    starts_segment_folding_to(c, &folded)
}

/// [`starts_segment`] of `c`, given its casefold form.
fn starts_segment_folding_to(c: char, casefolded: &str) -> bool {
    (c as u32) < 0x300 || (is_plain_starter(c) && casefolded.chars().next().is_none_or(is_plain_starter))
}

/// A starter that never composes with a preceding character.
fn is_plain_starter(c: char) -> bool {
    canonical_combining_class(c) == 0
        && !is_combining_mark(c)
        && is_nfkc_quick(std::iter::once(c)) != IsNormalized::Maybe
}

/// `exact` view of one segment: NFC.
pub fn exact_segment(seg: &str, out: &mut String) {
    out.extend(seg.nfc());
}

/// `casefold` view of one segment: toNFKC_Casefold (UAX #44): every character mapped to its
/// NFKC_Casefold form, then NFC. The mapping comes before any reordering: U+0345 (a mark)
/// folds to ι (a starter), so marks after it stay after ι.
pub fn casefold_segment(seg: &str, out: &mut String) {
    let mut mapped = String::new();
    // Once the table is built (not while it is being built), BMP characters come from it.
    let table = TABLE.get();
    for c in seg.chars() {
        match table.filter(|_| CharTable::covers(c)) {
            Some(table) => match table.form(c, super::View::Casefold) {
                Some(form) => mapped.push_str(std::str::from_utf8(form).unwrap_or_default()),
                None => mapped.push(c),
            },
            None => nfkc_casefold_char(c, &mut mapped),
        }
    }
    out.extend(mapped.nfc());
}

/// NFKC_Casefold of one character (DerivedNormalizationProps.txt): NFKC, full case folding
/// and removal of default-ignorable code points, repeated until the text no longer changes.
fn nfkc_casefold_char(c: char, out: &mut String) {
    let mut tmp = [0u8; 4];
    let source: &str = c.encode_utf8(&mut tmp);
    let mut current = String::new();
    casefold_once(source, &mut current);
    while current.as_str() != source {
        let mut next = String::new();
        casefold_once(&current, &mut next);
        if next == current {
            break;
        }
        current = next;
    }
    out.push_str(&current);
}

/// One round of NFKC_Casefold: NFKC, full case folding, NFKC again (folding can denormalise),
/// default-ignorable code points removed.
fn casefold_once(seg: &str, out: &mut String) {
    let visible: String = seg.chars().filter(|&c| !is_default_ignorable(c)).nfkc().collect();
    let folded = CaseMapper::new().fold_string(&visible);
    out.extend(folded.nfkc().filter(|&c| !is_default_ignorable(c)));
}

/// `fold` view of one segment: the casefold view with every mark removed after canonical
/// decomposition, and đ written d (đ has no decomposition).
pub fn fold_segment(seg: &str, out: &mut String) {
    let mut casefolded = String::new();
    casefold_segment(seg, &mut casefolded);
    fold_casefolded(&casefolded, out);
}

/// The fold view of casefold text.
fn fold_casefolded(casefolded: &str, out: &mut String) {
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
    /// One bit per character of [`EMOJI_BLOCKS`]: set when every view keeps it as it is and it
    /// starts a segment (pictographs; not the squared and circled letters among them).
    inert_emoji: Vec<u64>,
}

static TABLE: OnceLock<CharTable> = OnceLock::new();

/// Upper bound (exclusive) of the characters the table covers.
const TABLE_END: u32 = 0x10000;

/// The astral blocks of emoji and pictographs (U+1F000..U+1FAFF), which posts use a lot.
const EMOJI_BLOCKS: std::ops::Range<u32> = 0x1F000..0x1FB00;

impl CharTable {
    /// The table, computed on first use (about 100 ms).
    pub fn get() -> &'static CharTable {
        TABLE.get_or_init(CharTable::build)
    }

    fn build() -> CharTable {
        let mut pool = String::new();
        let mut entries = Vec::with_capacity(TABLE_END as usize);
        // A character's slot: SAME when its form is itself, else where the form is in `pool`.
        let slot = |c: char, form: &str, pool: &mut String| {
            let mut one = form.chars();
            if one.next() == Some(c) && one.next().is_none() {
                return Slot { offset: 0, len: SAME };
            }
            let offset = pool.len() as u32;
            pool.push_str(form);
            Slot {
                offset,
                len: form.len() as u8,
            }
        };
        let (mut exact, mut casefold, mut fold) = (String::new(), String::new(), String::new());
        for u in 0..TABLE_END {
            let c = char::from_u32(u).unwrap_or('\u{FFFD}');
            let mut tmp = [0u8; 4];
            let s: &str = c.encode_utf8(&mut tmp);
            exact.clear();
            casefold.clear();
            fold.clear();
            exact_segment(s, &mut exact);
            casefold_segment(s, &mut casefold);
            fold_casefolded(&casefold, &mut fold);
            entries.push(Entry {
                exact: slot(c, &exact, &mut pool),
                casefold: slot(c, &casefold, &mut pool),
                fold: slot(c, &fold, &mut pool),
                starts_segment: starts_segment_folding_to(c, &casefold),
            });
        }
        let mut inert_emoji = vec![0u64; EMOJI_BLOCKS.len().div_ceil(64)];
        for u in EMOJI_BLOCKS {
            let Some(c) = char::from_u32(u) else { continue };
            let s = c.to_string();
            let views: [fn(&str, &mut String); 3] = [exact_segment, casefold_segment, fold_segment];
            let unchanged = views.iter().all(|f| {
                let mut out = String::new();
                f(&s, &mut out);
                out == s
            });
            if unchanged && starts_segment(c) {
                let bit = (u - EMOJI_BLOCKS.start) as usize;
                inert_emoji[bit / 64] |= 1 << (bit % 64);
            }
        }
        CharTable {
            entries,
            pool,
            inert_emoji,
        }
    }

    /// Whether `c` is answered by the table.
    #[inline]
    pub fn covers(c: char) -> bool {
        (c as u32) < TABLE_END
    }

    /// Whether `c` is an emoji or pictograph that every view keeps as it is.
    #[inline]
    fn is_inert_emoji(&self, c: char) -> bool {
        let u = c as u32;
        EMOJI_BLOCKS.contains(&u) && {
            let bit = (u - EMOJI_BLOCKS.start) as usize;
            self.inert_emoji[bit / 64] & (1 << (bit % 64)) != 0
        }
    }

    /// [`starts_segment`], answered from the table for BMP characters and emoji.
    #[inline]
    pub fn starts_segment(&self, c: char) -> bool {
        match self.entries.get(c as usize) {
            Some(entry) => entry.starts_segment,
            None => self.is_inert_emoji(c) || starts_segment(c),
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

/// Emoji and pictographs outside the BMP that need no work: no case, no decomposition,
/// nothing to strip, so every view keeps them as they are without the slow path. Computed from
/// the normalisation data, so the squared and circled letters of U+1F100..U+1F1FF (which NFKC
/// maps to letters) are not among them.
#[inline]
pub fn is_inert_astral(c: char) -> bool {
    CharTable::get().is_inert_emoji(c)
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
    fn default_ignorables_are_unicode_s() {
        use icu_properties::props::DefaultIgnorableCodePoint;
        use icu_properties::CodePointSetData;
        let unicode = CodePointSetData::new::<DefaultIgnorableCodePoint>();
        for c in (0..=0x10FFFF).filter_map(char::from_u32) {
            assert_eq!(is_default_ignorable(c), unicode.contains(c), "U+{:04X}", c as u32);
        }
    }

    #[test]
    fn emoji_are_inert_but_enclosed_letters_are_not() {
        assert!(is_inert_astral('😀') && is_inert_astral('🔥') && is_inert_astral('🇻'));
        // Squared (NFKC: F) and negative squared letters (a skeleton homoglyph of f).
        assert!(!is_inert_astral('🄵'));
        assert!(!is_inert_astral('a') && !is_inert_astral('𝐟'));
        let table = CharTable::get();
        assert!(table.starts_segment('😀') && table.starts_segment('🄵'));
    }

    #[test]
    fn classes() {
        assert!(is_word_char('ệ') && is_word_char('7') && is_word_char('\u{0301}'));
        assert!(!is_word_char(' ') && !is_word_char('_') && !is_word_char('😀'));
        assert!(is_default_ignorable('\u{200B}') && is_default_ignorable('\u{00AD}'));
        assert!(starts_segment('a') && !starts_segment('\u{0301}'));
        // Halfwidth voiced sound mark and compatibility jamo compose with what precedes them.
        assert!(!starts_segment('\u{FF9E}') && !starts_segment('\u{314F}'));
    }
}
