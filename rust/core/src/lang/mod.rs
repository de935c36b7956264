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

use std::collections::HashSet;
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

/// Whether an ASCII lower-case word has the shape of a Vietnamese syllable typed without
/// diacritics: optional onset, a vowel cluster, optional coda (c, ch, m, n, ng, nh, p, t).
fn is_vietnamese_shape(word: &str) -> bool {
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
    ONSETS.iter().filter_map(|o| word.strip_prefix(o)).any(|rest| {
        CODAS
            .iter()
            .filter_map(|c| rest.strip_suffix(c))
            .any(|nucleus| NUCLEI.contains(&nucleus) || SINGLE.contains(&nucleus))
    })
}

/// Guesses the language of `text` (see the module documentation).
pub fn guess(text: &str) -> Lang {
    // Scores in half points; `marked` counts words with Vietnamese letters or accents.
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

    #[test]
    fn rules_fire_on_their_language_or_undetermined_posts() {
        assert!(Lang::Unknown.admits("en"));
        assert!(Lang::En.admits("EN"));
        assert!(!Lang::Vi.admits("en"));
    }
}
