//! Putting a regular expression through a view.
//!
//! A pattern is matched against view text, so its literal characters must be normalised the way
//! the text was: `Địt` in a `fold` rule must become `dit`. Only literal characters change;
//! escapes, classes' ranges, quantifiers and group syntax are copied as written. In the
//! `skeleton` view, literal characters are folded and homoglyph-mapped and doubled literal
//! letters collapse (`book` → `bok`); leetspeak and spacing are not applied to patterns, which
//! are written against the already de-obfuscated text.

use unicode_normalization::UnicodeNormalization;

use super::skeleton::homoglyph;
use super::{normalise, View};

/// Normalises the literal characters of `pattern` for `view`.
pub fn normalise_pattern(view: View, pattern: &str) -> String {
    let pattern: String = pattern.nfc().collect();
    let chars: Vec<char> = pattern.chars().collect();
    let mut out = String::with_capacity(pattern.len());
    let mut i = 0;
    let mut class_depth = 0usize;
    // The last literal letter written outside a class, for collapsing doubles in skeleton.
    let mut last_literal: Option<char> = None;
    while i < chars.len() {
        let c = chars[i];
        match c {
            '\\' => {
                let end = escape_end(&chars, i);
                out.extend(&chars[i..end]);
                i = end;
                last_literal = None;
                continue;
            }
            '[' if class_depth == 0 => {
                class_depth = 1;
                out.push('[');
                i += 1;
                // `[^]...]` and `[]...]`: a leading `]` is literal.
                if chars.get(i) == Some(&'^') {
                    out.push('^');
                    i += 1;
                }
                if chars.get(i) == Some(&']') {
                    out.push(']');
                    i += 1;
                }
                last_literal = None;
                continue;
            }
            '[' if chars.get(i + 1) == Some(&':') => {
                // POSIX class inside a bracket expression, copied whole.
                let end = find_from(&chars, i + 2, ":]").map_or(chars.len(), |p| p + 2);
                out.extend(&chars[i..end]);
                i = end;
                continue;
            }
            ']' if class_depth > 0 => {
                class_depth = 0;
                out.push(']');
                i += 1;
                continue;
            }
            '(' if chars.get(i + 1) == Some(&'?') => {
                // Group syntax `(?:`, `(?i)`, `(?<name>`: copied up to the `:`, `)` or `>`.
                let mut j = i + 2;
                while j < chars.len() && !matches!(chars[j], ':' | ')' | '>') {
                    j += 1;
                }
                let end = (j + 1).min(chars.len());
                out.extend(&chars[i..end]);
                i = end;
                last_literal = None;
                continue;
            }
            '{' if class_depth == 0 => {
                if let Some(end) = quantifier_end(&chars, i) {
                    out.extend(&chars[i..end]);
                    i = end;
                    continue;
                }
            }
            _ => {}
        }
        let is_meta = class_depth == 0 && ".^$|()*+?{}".contains(c);
        let in_range = class_depth > 0
            && (chars.get(i + 1) == Some(&'-') && chars.get(i + 2).is_some_and(|&n| n != ']')
                || i > 0 && chars[i - 1] == '-' && chars.get(i.wrapping_sub(2)).is_some_and(|&p| p != '['));
        if is_meta || in_range || (class_depth > 0 && c == '-') {
            out.push(c);
            last_literal = None;
            i += 1;
            continue;
        }
        let mapped = map_literal(view, c);
        let quantified = class_depth == 0 && chars.get(i + 1).is_some_and(|n| "*+?{".contains(*n));
        if class_depth > 0 {
            // A class holds single characters: keep the character when it maps to several.
            let mut it = mapped.chars();
            match (it.next(), it.next()) {
                (Some(m), None) => out.push(m),
                _ => out.push(c),
            }
        } else if view == View::Skeleton
            && !quantified
            && mapped.chars().count() == 1
            && last_literal.is_some_and(|l| mapped.starts_with(l))
        {
            // Doubled letter: the text's run was collapsed to one.
        } else if quantified && mapped.chars().count() > 1 {
            out.push_str("(?:");
            out.push_str(&mapped);
            out.push(')');
            last_literal = None;
        } else {
            out.push_str(&mapped);
            let mut it = mapped.chars();
            last_literal = match (it.next(), it.next()) {
                (Some(m), None) if m.is_alphabetic() && !quantified => Some(m),
                _ => None,
            };
        }
        i += 1;
    }
    out
}

fn map_literal(view: View, c: char) -> String {
    match view {
        View::Exact => c.to_string(),
        View::Casefold | View::Fold => normalise(view, &c.to_string()),
        View::Skeleton => normalise(View::Fold, &c.to_string())
            .chars()
            .map(|c| homoglyph(c).map_or_else(|| c.to_string(), str::to_string))
            .collect(),
    }
}

/// End (exclusive) of the escape sequence starting at `i` (a backslash).
fn escape_end(chars: &[char], i: usize) -> usize {
    let Some(&kind) = chars.get(i + 1) else {
        return chars.len();
    };
    let braced = |j: usize| -> usize {
        if chars.get(j) == Some(&'{') {
            find_from(chars, j, "}").map_or(chars.len(), |p| p + 1)
        } else {
            j
        }
    };
    match kind {
        'x' => {
            if chars.get(i + 2) == Some(&'{') {
                braced(i + 2)
            } else {
                let mut j = i + 2;
                while j < chars.len() && j < i + 4 && chars[j].is_ascii_hexdigit() {
                    j += 1;
                }
                j
            }
        }
        'p' | 'P' => {
            if chars.get(i + 2) == Some(&'{') {
                braced(i + 2)
            } else {
                (i + 3).min(chars.len())
            }
        }
        'o' => braced(i + 2),
        'c' => (i + 3).min(chars.len()),
        'Q' => find_from(chars, i + 2, "\\E").map_or(chars.len(), |p| p + 2),
        _ => i + 2,
    }
}

/// End of a `{m}`, `{m,}` or `{m,n}` quantifier starting at `i`, if it is one.
fn quantifier_end(chars: &[char], i: usize) -> Option<usize> {
    let mut j = i + 1;
    let mut digits = 0;
    while j < chars.len() && (chars[j].is_ascii_digit() || chars[j] == ',') {
        digits += usize::from(chars[j].is_ascii_digit());
        j += 1;
    }
    (digits > 0 && chars.get(j) == Some(&'}')).then_some(j + 1)
}

fn find_from(chars: &[char], from: usize, needle: &str) -> Option<usize> {
    let needle: Vec<char> = needle.chars().collect();
    (from..chars.len()).find(|&p| chars[p..].starts_with(&needle))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn literals_are_normalised_syntax_is_not() {
        assert_eq!(normalise_pattern(View::Fold, "Đ[iị]t\\s+m[eẹ]"), "d[ii]t\\s+m[ee]");
        assert_eq!(normalise_pattern(View::Casefold, "ĐỊT\\W{1,3}MẸ"), "địt\\W{1,3}mẹ");
        assert_eq!(normalise_pattern(View::Casefold, "\\p{L}+ Ngu"), "\\p{L}+ ngu");
        assert_eq!(normalise_pattern(View::Casefold, "(?:A|B)(?i)C"), "(?:a|b)(?i)c");
        assert_eq!(normalise_pattern(View::Casefold, "[A-Z]x"), "[A-Z]x");
        assert_eq!(normalise_pattern(View::Casefold, "ß+"), "(?:ss)+");
        assert_eq!(normalise_pattern(View::Exact, "Địt"), "Địt");
    }

    #[test]
    fn skeleton_collapses_doubled_letters() {
        assert_eq!(normalise_pattern(View::Skeleton, "bo+k|book"), "bo+k|bok");
        assert_eq!(normalise_pattern(View::Skeleton, "Ngu+"), "ngu+");
    }
}
