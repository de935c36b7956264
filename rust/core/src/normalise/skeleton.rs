//! The `skeleton` view: the `fold` view with the common evasions undone.
//!
//! Four steps, in this order, each defined on characters of the fold view:
//! 1. homoglyphs: Cyrillic, Greek and Latin look-alikes written as the ASCII letter they imitate;
//! 2. spaced-out words: single letters joined by separators are joined (`d.i.t` → `dit`,
//!    `f u c k` → `fuck`); a "letter" here also counts the leetspeak characters, and a run needs
//!    at least two real letters;
//! 3. leetspeak inside words: digits next to a letter (`sh1t`), and `@ $ !` between letters
//!    (`a$$`, `b!tch`), so that `2021`, `@mention` and `wow!` are left alone;
//! 4. runs of the same letter collapsed to one (`nguuuu` → `ngu`).
//!
//! Terms are put through the same steps, so `book` in a skeleton rule is stored as `bok`.

use super::chars::is_letter;

/// A look-alike of an ASCII letter, as it appears after case folding and mark stripping.
pub fn homoglyph(c: char) -> char {
    match c {
        // Cyrillic
        'а' => 'a',
        'в' => 'b',
        'г' => 'r',
        'е' => 'e',
        'і' => 'i',
        'ј' => 'j',
        'к' => 'k',
        'м' => 'm',
        'н' => 'h',
        'о' => 'o',
        'п' => 'n',
        'р' => 'p',
        'с' => 'c',
        'т' => 't',
        'у' => 'y',
        'х' => 'x',
        'ь' => 'b',
        'ѕ' => 's',
        'ԁ' => 'd',
        'ԛ' => 'q',
        'ԝ' => 'w',
        'һ' => 'h',
        'ӏ' => 'l',
        // Greek
        'α' => 'a',
        'β' => 'b',
        'γ' => 'y',
        'ε' => 'e',
        'η' => 'n',
        'ι' => 'i',
        'κ' => 'k',
        'μ' => 'u',
        'ν' => 'v',
        'ο' => 'o',
        'ρ' => 'p',
        'τ' => 't',
        'υ' => 'u',
        'χ' => 'x',
        'ω' => 'w',
        // Latin letters without a decomposition
        'ı' => 'i',
        'ł' => 'l',
        'ø' => 'o',
        'ɑ' => 'a',
        'ɡ' => 'g',
        'ƅ' => 'b',
        _ => c,
    }
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

#[derive(Clone, Copy)]
struct Unit {
    c: char,
    /// Byte range in the fold view.
    start: u32,
    end: u32,
}

/// Reusable buffers for building skeletons.
#[derive(Default)]
pub struct SkeletonBuilder {
    units: Vec<Unit>,
    kept: Vec<usize>,
    drop: Vec<bool>,
}

fn is_unit(c: char) -> bool {
    is_letter(c) || leet(c).is_some()
}

impl SkeletonBuilder {
    /// Appends the skeleton of `fold` to `out`. With `spans`, also records for every byte written
    /// the byte range of the fold text it came from.
    pub fn build(&mut self, fold: &str, out: &mut String, mut spans: Option<&mut Vec<(u32, u32)>>) {
        self.units.clear();
        self.units.extend(fold.char_indices().map(|(i, c)| Unit {
            c: homoglyph(c),
            start: i as u32,
            end: (i + c.len_utf8()) as u32,
        }));
        self.mark_spaced_out_separators();

        self.kept.clear();
        self.kept.extend((0..self.units.len()).filter(|&i| !self.drop[i]));

        // Leetspeak, decided on the characters before any of them is replaced.
        let kept = &self.kept;
        let units = &self.units;
        let at = |p: usize| units[kept[p]].c;
        let mut last_char: Option<char> = None;
        let mut last_start = 0usize;
        for p in 0..kept.len() {
            let unit = units[kept[p]];
            let mut c = unit.c;
            if let Some(letter) = leet(c) {
                let prev = (p > 0).then(|| at(p - 1));
                let next = (p + 1 < kept.len()).then(|| at(p + 1));
                let letter_beside = prev.is_some_and(is_letter) || next.is_some_and(is_letter);
                let inside = prev.is_some_and(is_unit) && next.is_some_and(is_unit);
                let is_digit = c.is_ascii_digit();
                if letter_beside && (is_digit || inside) {
                    c = letter;
                }
            }
            if is_letter(c) && last_char == Some(c) {
                // Repeated letter: widen the span of the one already written.
                if let Some(spans) = spans.as_deref_mut() {
                    for span in &mut spans[last_start..] {
                        span.1 = unit.end;
                    }
                }
                continue;
            }
            last_start = out.len();
            out.push(c);
            if let Some(spans) = spans.as_deref_mut() {
                spans.extend(std::iter::repeat_n((unit.start, unit.end), c.len_utf8()));
            }
            last_char = Some(c);
        }
    }

    /// Marks the separators inside spaced-out words (`f.u.c.k`) for removal. A spaced-out word
    /// uses the same separator throughout (so `x d.i.t y` gives `x dit y`) and needs two letters
    /// (three when spaced with whitespace, which single-letter words such as "a" also produce).
    fn mark_spaced_out_separators(&mut self) {
        let units = &self.units;
        let n = units.len();
        self.drop.clear();
        self.drop.resize(n, false);
        let single = |i: usize| {
            is_unit(units[i].c) && !(i > 0 && is_unit(units[i - 1].c)) && !(i + 1 < n && is_unit(units[i + 1].c))
        };
        let separator_after = |i: usize| -> usize {
            let mut k = i + 1;
            while k < n && k - i - 1 < MAX_SEPARATORS && is_separator(units[k].c) {
                k += 1;
            }
            k
        };
        let same = |a: usize, b: usize, len: usize| (0..len).all(|d| units[a + d].c == units[b + d].c);
        let mut i = 0;
        while i < n {
            if !single(i) {
                i += 1;
                continue;
            }
            let first = i;
            let mut last = i;
            let mut letters = usize::from(is_letter(units[i].c));
            let mut separator: Option<(usize, usize)> = None;
            loop {
                let k = separator_after(last);
                let len = k - last - 1;
                if len == 0 || k >= n || !single(k) {
                    break;
                }
                match separator {
                    Some((at, l)) if l != len || !same(at, last + 1, len) => break,
                    Some(_) => {}
                    None => separator = Some((last + 1, len)),
                }
                letters += usize::from(is_letter(units[k].c));
                last = k;
            }
            let spaced = separator.is_some_and(|(at, _)| units[at].c.is_whitespace());
            let needed = if spaced { 3 } else { 2 };
            if last > first && letters >= needed {
                for (unit, drop) in units[first..=last].iter().zip(&mut self.drop[first..=last]) {
                    *drop = !is_unit(unit.c);
                }
                i = last + 1;
            } else {
                i = first + 1;
            }
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
