//! A cheap guess of a post's language: Vietnamese, English or undetermined.
//!
//! Rules carry a `lang` tag; a rule tuned on one language's data should not fire on a post in
//! another (`0[89]\d{8,10}` is a UK premium-rate number and also every Vietnamese mobile
//! number). The guess needs no model: Vietnamese is written with letters and tone marks no
//! other Latin orthography combines (ơ, ư, ạ, ầ, đ ...), and even typed without them its words
//! are syllables of a fixed shape (onset, vowel cluster, one of eight codas), which most English
//! words are not; English is told by its function words. Short or mixed posts stay
//! [`Lang::Unknown`], and an undetermined post is scanned by every rule: the guess only ever
//! removes a rule where the evidence for another language is clear.

use std::collections::{HashMap, HashSet};
use std::sync::OnceLock;

/// A post's guessed language.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Lang {
    /// Vietnamese.
    Vi,
    /// English.
    En,
    /// Too short, mixed or neither.
    Unknown,
}

impl Lang {
    /// The tag rules use (`vi`, `en`), or `unknown`.
    pub fn code(self) -> &'static str {
        match self {
            Lang::Vi => "vi",
            Lang::En => "en",
            Lang::Unknown => "unknown",
        }
    }

    /// Whether a rule tagged `rule_lang` may fire on a post guessed to be in this language:
    /// always when the guess is undetermined, else only when the tags agree.
    pub fn admits(self, rule_lang: &str) -> bool {
        self == Lang::Unknown || rule_lang.eq_ignore_ascii_case(self.code())
    }
}

/// Letters only Vietnamese uses among Latin orthographies (with ô, ê, â, which French shares
/// but rarely on the same word as a Vietnamese tone): two points a word.
const VI_LETTERS: &str = "ảãạằắẳẵặầấẩẫậẻẽẹềếểễệỉĩịỏọồốổỗộơờớởỡợủũụưừứửữựỳỷỹỵđăâêô";
/// Accented vowels Vietnamese shares with French, Spanish ...: one point a word.
const SHARED_ACCENTS: &str = "àáèéìíòóùúýõ";

fn english_words() -> &'static HashSet<&'static str> {
    static WORDS: OnceLock<HashSet<&'static str>> = OnceLock::new();
    WORDS.get_or_init(|| {
        include_str!("en_function_words.txt")
            .lines()
            .map(str::trim)
            .filter(|l| !l.is_empty() && !l.starts_with('#'))
            .collect()
    })
}

const ONSETS: [&str; 27] = [
    "ngh", "ng", "nh", "ch", "gh", "gi", "kh", "ph", "qu", "th", "tr", "b", "c", "d", "g", "h", "k", "l", "m", "n",
    "p", "r", "s", "t", "v", "x", "",
];
const CODAS: [&str; 9] = ["ng", "nh", "ch", "c", "m", "n", "p", "t", ""];
const NUCLEI: [&str; 32] = [
    "uye", "uya", "oai", "oay", "uay", "uoi", "ieu", "yeu", "uyu", "oeo", "ai", "ao", "au", "ay", "eo", "eu", "ia",
    "iu", "oa", "oe", "oi", "ua", "ue", "ui", "uo", "uy", "ie", "ye", "a", "e", "i", "o",
];
const SINGLE: [&str; 2] = ["u", "y"];

/// Whether an ASCII lower-case word has the shape of a Vietnamese syllable typed without
/// diacritics: optional onset, a vowel cluster, optional coda (c, ch, m, n, ng, nh, p, t).
#[cfg(test)]
fn is_vietnamese_shape(word: &str) -> bool {
    ONSETS.iter().filter_map(|o| word.strip_prefix(o)).any(|rest| {
        CODAS
            .iter()
            .filter_map(|c| rest.strip_suffix(c))
            .any(|nucleus| NUCLEI.contains(&nucleus) || SINGLE.contains(&nucleus))
    })
}

/// An ASCII lower-case word is an English function word.
const ENGLISH: u8 = 1;
/// An ASCII lower-case word has the shape of a Vietnamese syllable (see [`guess`]).
const SHAPE: u8 = 2;

/// Every English function word and every Vietnamese syllable shape (each onset, nucleus and
/// coda put together: a few thousand words), with what it is, so that [`guess`] looks a word
/// up once instead of trying every onset and coda on it.
fn known_words() -> &'static HashMap<Box<str>, u8> {
    static WORDS: OnceLock<HashMap<Box<str>, u8>> = OnceLock::new();
    WORDS.get_or_init(|| {
        let mut words: HashMap<Box<str>, u8> = HashMap::new();
        for word in english_words() {
            *words.entry((*word).into()).or_default() |= ENGLISH;
        }
        for onset in ONSETS {
            for nucleus in NUCLEI.iter().chain(&SINGLE) {
                for coda in CODAS {
                    *words.entry(format!("{onset}{nucleus}{coda}").into()).or_default() |= SHAPE;
                }
            }
        }
        words
    })
}

/// What a word holds, as [`guess`] scores it: a letter only Vietnamese uses, an accent it
/// shares, a character that is not ASCII.
const VI_LETTER: u8 = 1;
const SHARED_ACCENT: u8 = 2;
const NOT_ASCII: u8 = 4;

/// Guesses the language of `text` (see the module documentation).
pub fn guess(text: &str) -> Lang {
    // Scores in half points; `marked` counts words with Vietnamese letters or accents.
    let (mut vi, mut en, mut marked) = (0u32, 0u32, 0u32);
    let words = known_words();
    let mut score = |word: &str, holds: u8| {
        if holds & VI_LETTER != 0 {
            vi += 4;
            marked += 1;
        } else if holds & SHARED_ACCENT != 0 {
            vi += 2;
            marked += 1;
        } else if holds & NOT_ASCII == 0 {
            let known = words.get(word).copied().unwrap_or(0);
            if known & ENGLISH != 0 {
                en += 2;
            } else if known & SHAPE != 0 {
                vi += 1;
            } else if word.len() >= 3 && word.bytes().any(|b| b"aeiouy".contains(&b)) {
                en += 1;
            }
        }
    };
    // The word being read, lower-cased, and what it holds.
    let mut word = String::new();
    let mut holds = 0u8;
    for c in text.chars() {
        if c.is_ascii() {
            if c.is_ascii_alphabetic() || (c == '\'' && !word.is_empty()) {
                word.push(c.to_ascii_lowercase());
                continue;
            }
        } else if c.is_alphabetic() || is_tone_mark(c) {
            for lower in c.to_lowercase() {
                word.push(lower);
                if !lower.is_ascii() {
                    holds |= NOT_ASCII;
                    if VI_LETTERS.contains(lower) {
                        holds |= VI_LETTER;
                    } else if SHARED_ACCENTS.contains(lower) || is_tone_mark(lower) {
                        holds |= SHARED_ACCENT;
                    }
                }
            }
            continue;
        }
        if !word.is_empty() {
            score(word.trim_end_matches('\''), holds);
            word.clear();
            holds = 0;
        }
    }
    if !word.is_empty() {
        score(word.trim_end_matches('\''), holds);
    }
    decide(vi, en, marked)
}

/// The language of a post from its scores (half points for Vietnamese and English, and the
/// count of words with Vietnamese letters or accents).
fn decide(vi: u32, en: u32, marked: u32) -> Lang {
    // Without a single accent, Vietnamese needs syllable shapes alone: short English slang
    // ("call da po po hoe") has them too, so any English word leaves it undetermined.
    if vi >= 4 && vi >= 2 * en && (marked > 0 || en == 0) {
        Lang::Vi
    } else if en >= 4 && en >= 2 * vi {
        Lang::En
    } else {
        Lang::Unknown
    }
}

/// Combining marks of decomposed Vietnamese (tones, breve, circumflex, horn).
fn is_tone_mark(c: char) -> bool {
    matches!(
        c,
        '\u{0300}' | '\u{0301}' | '\u{0302}' | '\u{0303}' | '\u{0306}' | '\u{0309}' | '\u{031B}' | '\u{0323}'
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn vietnamese_with_and_without_diacritics() {
        assert_eq!(guess("Cần bán xe Wave đời 2015, giá 8 triệu, LH 0912345678"), Lang::Vi);
        assert_eq!(guess("khong biet nguoi ta noi gi nhung thay hay"), Lang::Vi);
        // Decomposed (NFD) text.
        assert_eq!(guess("Ca\u{0302}\u{0300}n ba\u{0301}n xe ngay"), Lang::Vi);
    }

    #[test]
    fn english() {
        assert_eq!(guess("Call 09061701461 to claim your prize now"), Lang::En);
        assert_eq!(guess("I'll call you when I get to the station"), Lang::En);
        assert_eq!(guess("Movie night: rated 18+ and it was great"), Lang::En);
    }

    #[test]
    fn short_or_mixed_posts_are_undetermined() {
        assert_eq!(guess(""), Lang::Unknown);
        assert_eq!(guess("ok"), Lang::Unknown);
        assert_eq!(guess("12345 !!!"), Lang::Unknown);
        assert_eq!(guess("fuck"), Lang::Unknown);
        assert_eq!(guess("this is so fucking funny lol vãi"), Lang::Unknown);
        assert_eq!(guess("Call da po po hoe"), Lang::Unknown);
    }

    #[test]
    fn syllable_shapes() {
        for w in ["nguoi", "khong", "thuong", "nghieng", "the", "gi", "uyen", "quyet"] {
            assert!(is_vietnamese_shape(w), "{w}");
        }
        for w in ["and", "you", "phone", "street", "fuck", "hello"] {
            assert!(!is_vietnamese_shape(w), "{w}");
        }
    }

    /// [`guess`] as first written (a word scored by trying every onset and coda on it, a
    /// search of the letter lists for every character): what the faster one must agree with.
    fn guess_reference(text: &str) -> Lang {
        let (mut vi, mut en, mut marked) = (0u32, 0u32, 0u32);
        let mut word = String::new();
        let mut score = |word: &str| {
            if word.chars().any(|c| VI_LETTERS.contains(c)) {
                vi += 4;
                marked += 1;
            } else if word.chars().any(|c| SHARED_ACCENTS.contains(c) || is_tone_mark(c)) {
                vi += 2;
                marked += 1;
            } else if word.is_ascii() {
                let shaped = is_vietnamese_shape(word);
                if english_words().contains(word) {
                    en += 2;
                } else if shaped {
                    vi += 1;
                } else if word.len() >= 3 && word.bytes().any(|b| b"aeiouy".contains(&b)) {
                    en += 1;
                }
            }
        };
        for c in text.chars() {
            if c.is_alphabetic() || is_tone_mark(c) || (c == '\'' && !word.is_empty()) {
                word.extend(c.to_lowercase());
            } else if !word.is_empty() {
                score(word.trim_end_matches('\''));
                word.clear();
            }
        }
        if !word.is_empty() {
            score(word.trim_end_matches('\''));
        }
        decide(vi, en, marked)
    }

    /// Every syllable shape and function word the table holds is one, and pseudo-random ASCII
    /// words are in the table exactly when they are.
    #[test]
    fn the_table_of_known_words_agrees_with_the_search() {
        for (word, &known) in known_words() {
            assert_eq!(known & SHAPE != 0, is_vietnamese_shape(word), "{word}");
            assert_eq!(known & ENGLISH != 0, english_words().contains(&**word), "{word}");
        }
        let letters = b"aeiouyngchtmpkqbdlrsvxgfjwz'";
        let mut seed = 7u64;
        for _ in 0..200_000 {
            seed = seed.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
            let mut r = seed;
            let word: String = (0..(seed >> 61) as usize + 1)
                .map(|_| {
                    r = r.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
                    letters[(r >> 33) as usize % letters.len()] as char
                })
                .collect();
            let known = known_words().get(word.as_str()).copied().unwrap_or(0);
            assert_eq!(known & SHAPE != 0, is_vietnamese_shape(&word), "{word}");
        }
    }

    /// Pseudo-random texts of ASCII and Vietnamese letters, capitals, marks, apostrophes,
    /// digits and other scripts get the guess of the first version.
    #[test]
    fn random_texts_get_the_guess_of_the_first_version() {
        let mut alphabet: Vec<char> = "aeiouy ngchtmpkqbdl rsvx ANGHT'  .,0912 ".chars().collect();
        alphabet.extend("đĐồỆệươàéÀ\u{0301}\u{0323}\u{0300}ßİKΣς日ñ😀\n".chars());
        let words = [
            "the ", "and ", "you ", "can't ", "I'll ", "nguoi ", "khong ", "Việt ", "call ", "prize ",
        ];
        let mut seed = 0x5eed_u64;
        for _ in 0..50_000 {
            seed = seed.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
            let mut r = seed;
            let mut text = String::new();
            for _ in 0..(seed >> 58) as usize + 1 {
                r = r.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
                if r >> 62 == 0 {
                    text.push_str(words[(r >> 33) as usize % words.len()]);
                } else {
                    text.push(alphabet[(r >> 33) as usize % alphabet.len()]);
                }
            }
            assert_eq!(guess(&text), guess_reference(&text), "{text:?}");
        }
    }

    #[test]
    fn rules_fire_on_their_language_or_undetermined_posts() {
        assert!(Lang::Unknown.admits("en"));
        assert!(Lang::En.admits("EN"));
        assert!(!Lang::Vi.admits("en"));
    }
}
