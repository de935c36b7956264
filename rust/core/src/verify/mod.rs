//! Verification: what turns raw matcher hits into findings.
//!
//! Matchers report every occurrence of every compiled term and pattern in every view. Here,
//! per post and per rule, in this order:
//! 1. `unless`: a hit of one of the rule's `unless` terms anywhere in the post vetoes the rule;
//! 2. `allow`: a match lying inside a hit of an `allow` term (the rule's or the ruleset's
//!    allow-list) is dropped (`lon` inside `lon bia`); so is a match of a term lying inside one
//!    of that term's innocent compounds (`lũ` inside `lũ lụt`, `mày` inside `mặt mày`), and a
//!    match of a term that is also a syllable of names, written as part of a name
//!    ([`is_inside_name`]: `Ngu` in `Ngu Thế Nam`, `Lũ` in `xã Kim Lũ`);
//! 3. `near`: with a `near` condition, a match counts only with a near term within N words;
//! 4. de-duplication: overlapping matches of the rule in one view merge into one; a match in a
//!    more normalised view that overlaps one already found in a less normalised view is dropped,
//!    so a finding reports the least normalised view that caught it;
//! 5. `min_count`: the rule fires only with at least that many distinct terms or patterns among
//!    the matches left (a term written twice is one cue: "chỉ còn 20 hộ … chỉ còn 3 lò").
//!
//! Before all of these, a rule with an `informal` condition is silenced in a post that reads as
//! edited prose and has none of the rule's informal cues outside its quotations
//! ([`register::is_edited_prose`], [`register::quotations`]).
//!
//! Word boundaries are checked before this, on the view text (see [`is_word_bounded`]), and a
//! rule tagged with another language than the post's guessed one is silenced as a whole
//! ([`silence_other_language`]).

mod register;

pub use register::{is_edited_prose, PROSE_MIN_WORDS};

use crate::normalise::{is_word_char, View};

/// What a compiled term or pattern is for.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Role {
    /// A term or pattern of the rule itself.
    Hit,
    /// A context that excuses a match inside it.
    Allow,
    /// A term that vetoes the rule in the whole post.
    Unless,
    /// A term required near a match.
    Near,
    /// An innocent compound of one of the rule's terms.
    Compound,
    /// A cue of informal writing (for a rule with an `informal` condition).
    Informal,
    /// An innocent compound of an informal cue term (`Tây Ban Nha` for the particle `nha`).
    InformalCompound,
}

/// One hit of a compiled term or pattern, located in the original text.
#[derive(Clone, Copy, Debug)]
pub struct Hit {
    /// Rule index, or [`GLOBAL`] for the ruleset's allow-list.
    pub rule: u32,
    /// What the term is for.
    pub role: Role,
    /// The view the term was compiled for.
    pub view: View,
    /// Index of the term/pattern in its list (terms first, then patterns).
    pub source: u32,
    /// Original byte range.
    pub start: u32,
    /// Original byte range end.
    pub end: u32,
}

/// Rule index of the ruleset-wide allow-list.
pub const GLOBAL: u32 = u32::MAX;

/// The per-post conditions of one rule.
pub struct Conditions {
    /// Maximum words between a match and a near term, when the rule has `near`.
    pub near_within: Option<u32>,
    /// Minimum number of matches.
    pub min_count: u32,
    /// For each compound of the rule (by index), the index of the term it excuses.
    pub compound_terms: Vec<u32>,
    /// Indices of the rule's terms that are also syllables of names.
    pub name_terms: Vec<u32>,
    /// The rule has an `informal` condition: it does not fire on edited prose.
    pub informal_only: bool,
    /// For each compound of the rule's informal cue terms (by index), the cue term it excuses.
    pub informal_compound_terms: Vec<u32>,
}

/// What happened to one candidate match (for `rules explain`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Outcome {
    /// Reported.
    Kept,
    /// Inside an allow term.
    Allowed {
        /// Rule owning the allow term ([`GLOBAL`] for the ruleset's allow-list).
        rule: u32,
        /// Index of the allow term.
        source: u32,
    },
    /// The rule was vetoed by an unless term.
    Vetoed {
        /// Index of the unless term.
        source: u32,
    },
    /// Inside an innocent compound of the term.
    InCompound {
        /// Index of the compound in the rule's compounds.
        source: u32,
    },
    /// A term that is also a syllable of names, written as part of a name.
    InName,
    /// The rule counts in informal writing only, and the post reads as edited prose.
    EditedProse,
    /// The rule's `lang` is not the post's guessed language.
    OtherLanguage {
        /// The post's guessed language.
        post: crate::lang::Lang,
    },
    /// No near term within range.
    NotNear,
    /// Overlaps a match of the same rule in a less normalised view or in the same view.
    Duplicate,
    /// Fewer matches than `min_count`.
    BelowMinCount,
}

/// Whether `text[start..end]` stands as a whole word: a word character at either edge of the
/// match may not touch another word character.
pub fn is_word_bounded(text: &str, start: usize, end: usize) -> bool {
    if !text.is_char_boundary(start) || !text.is_char_boundary(end) || start >= end {
        return false;
    }
    let matched = &text[start..end];
    let first = matched.chars().next().is_some_and(is_word_char);
    let last = matched.chars().next_back().is_some_and(is_word_char);
    if first && text[..start].chars().next_back().is_some_and(is_word_char) {
        return false;
    }
    if last && text[end..].chars().next().is_some_and(is_word_char) {
        return false;
    }
    true
}

/// Whether `text[start..end]` (original text) is written as part of a proper name: every word
/// of it in title case (an upper-case letter, then no upper-case letter: `Ngu`, `Bắc Kỳ`, not
/// `NGU` or `ngu`), and not at the start of a sentence, where every word is capitalised. The
/// start of a sentence is the start of the text, or a `.`, `!`, `?`, `…`, `:` or a line break
/// before the match, with only spaces and opening quotes or brackets in between.
pub fn is_inside_name(text: &str, start: usize, end: usize) -> bool {
    let Some(matched) = text.get(start..end) else {
        return false;
    };
    let title_case = |word: &str| {
        let mut chars = word.chars();
        chars.next().is_some_and(char::is_uppercase) && !chars.any(char::is_uppercase)
    };
    let mut words = matched.split_whitespace().peekable();
    if words.peek().is_none() || !words.all(title_case) {
        return false;
    }
    for c in text[..start].chars().rev() {
        match c {
            '\n' | '\r' | '.' | '!' | '?' | '…' | ':' => return false,
            c if c.is_whitespace() || matches!(c, '"' | '“' | '‘' | '\'' | '(' | '[' | '«' | '-' | '–') => {
                continue
            }
            _ => return true,
        }
    }
    false
}

/// Number of words between two original byte ranges (0 when they overlap or touch).
pub fn words_between(text: &str, a: (u32, u32), b: (u32, u32)) -> u32 {
    let (left_end, right_start) = if a.1 <= b.0 {
        (a.1, b.0)
    } else if b.1 <= a.0 {
        (b.1, a.0)
    } else {
        return 0;
    };
    let gap = &text[left_end as usize..right_start as usize];
    let mut words = 0;
    let mut in_word = false;
    for c in gap.chars() {
        let w = is_word_char(c);
        if w && !in_word {
            words += 1;
        }
        in_word = w;
    }
    words
}

/// Whether at most `limit` words lie between two original byte ranges: [`words_between`]
/// `<= limit`, but stops reading at the first word past the limit, so that a check between
/// hits far apart in a long text costs the limit, not the distance.
pub fn within_words(text: &str, a: (u32, u32), b: (u32, u32), limit: u32) -> bool {
    let (left_end, right_start) = if a.1 <= b.0 {
        (a.1, b.0)
    } else if b.1 <= a.0 {
        (b.1, a.0)
    } else {
        return true;
    };
    let gap = &text[left_end as usize..right_start as usize];
    let mut words = 0;
    let mut in_word = false;
    for c in gap.chars() {
        let w = is_word_char(c);
        if w && !in_word {
            words += 1;
            if words > limit {
                return false;
            }
        }
        in_word = w;
    }
    true
}

/// A rule's `near` hits, indexed so that a match is checked against the closest ones only: the
/// words between a match and a hit after it can only grow with the hit's start, and those
/// before it with the distance back, so the nearest on each side decide (long texts have
/// thousands of both).
struct Near {
    within: u32,
    /// (start, end), by start.
    by_start: Vec<(u32, u32)>,
    /// Largest end among `by_start[..=i]`.
    max_end: Vec<u32>,
    /// Ends, sorted.
    ends: Vec<u32>,
}

impl Near {
    fn new(hits: &[Hit], within: u32) -> Near {
        let mut by_start: Vec<(u32, u32)> = hits
            .iter()
            .filter(|h| h.role == Role::Near)
            .map(|h| (h.start, h.end))
            .collect();
        by_start.sort_unstable();
        let max_end = by_start
            .iter()
            .scan(0, |max, &(_, end)| {
                *max = end.max(*max);
                Some(*max)
            })
            .collect();
        let mut ends: Vec<u32> = by_start.iter().map(|&(_, end)| end).collect();
        ends.sort_unstable();
        Near {
            within,
            by_start,
            max_end,
            ends,
        }
    }

    /// Whether a near hit lies within `within` words of `span` ([`within_words`]).
    fn is_near(&self, text: &str, span: (u32, u32)) -> bool {
        // Hits starting before the match ends: one of them overlaps it, or they lie before it.
        let before = self.by_start.partition_point(|&(start, _)| start < span.1);
        if before > 0 && self.max_end[before - 1] > span.0 {
            return true;
        }
        if let Some(&(start, end)) = self.by_start.get(before) {
            if within_words(text, span, (start, end), self.within) {
                return true;
            }
        }
        let left = self.ends.partition_point(|&end| end <= span.0);
        left > 0 && within_words(text, (self.ends[left - 1], self.ends[left - 1]), span, self.within)
    }
}

fn inside(span: (u32, u32), outer: (u32, u32)) -> bool {
    outer.0 <= span.0 && span.1 <= outer.1
}

fn overlaps(a: (u32, u32), b: (u32, u32)) -> bool {
    a.0 < b.1 && b.0 < a.1
}

/// Resolves the hits of one rule in one post. `hits` holds the rule's hits (any role) and the
/// global allow-list hits. Returns the matches to report (hits of role `Hit`, possibly widened by
/// merging), sorted by position. With `trace`, records the outcome of every candidate.
pub fn resolve_rule(
    text: &str,
    hits: &[Hit],
    conditions: &Conditions,
    mut trace: Option<&mut Vec<(Hit, Outcome)>>,
) -> Vec<Hit> {
    let mut record = |hit: &Hit, outcome: Outcome| {
        if let Some(trace) = trace.as_deref_mut() {
            trace.push((*hit, outcome));
        }
    };
    let candidates = hits.iter().filter(|h| h.role == Role::Hit && h.rule != GLOBAL);
    if let Some(veto) = hits.iter().find(|h| h.role == Role::Unless) {
        for hit in candidates {
            record(hit, Outcome::Vetoed { source: veto.source });
        }
        return Vec::new();
    }
    if conditions.informal_only
        && is_edited_prose(text)
        && !has_informal_cue(text, hits, &conditions.informal_compound_terms)
    {
        for hit in candidates {
            record(hit, Outcome::EditedProse);
        }
        return Vec::new();
    }
    let near = conditions.near_within.map(|within| Near::new(hits, within));
    let mut kept: Vec<Hit> = Vec::new();
    for hit in candidates {
        let span = (hit.start, hit.end);
        if let Some(allow) = hits
            .iter()
            .find(|h| h.role == Role::Allow && inside(span, (h.start, h.end)))
        {
            record(
                hit,
                Outcome::Allowed {
                    rule: allow.rule,
                    source: allow.source,
                },
            );
            continue;
        }
        if let Some(compound) = compound_around(hit, hits, Role::Compound, &conditions.compound_terms) {
            record(
                hit,
                Outcome::InCompound {
                    source: compound.source,
                },
            );
            continue;
        }
        if conditions.name_terms.contains(&hit.source) && is_inside_name(text, hit.start as usize, hit.end as usize) {
            record(hit, Outcome::InName);
            continue;
        }
        if let Some(near) = &near {
            if !near.is_near(text, span) {
                record(hit, Outcome::NotNear);
                continue;
            }
        }
        kept.push(*hit);
    }

    // De-duplicate: least normalised view first; within a view, merge overlaps.
    kept.sort_by_key(|h| (h.view, h.start, std::cmp::Reverse(h.end)));
    let mut accepted: Vec<Hit> = Vec::new();
    let mut view_start = 0;
    // Where each earlier view's matches begin in `accepted`: each view's are sorted by start and
    // disjoint (merged), so their ends rise too, and one binary search per view finds an overlap.
    let mut views: Vec<usize> = Vec::new();
    for hit in kept {
        if accepted.last().is_some_and(|last| last.view != hit.view) {
            views.push(view_start);
            view_start = accepted.len();
        }
        let span = (hit.start, hit.end);
        let earlier = views.iter().enumerate().any(|(k, &from)| {
            let to = views.get(k + 1).copied().unwrap_or(view_start);
            let block = &accepted[from..to];
            let before = block.partition_point(|a| a.start < span.1);
            before > 0 && overlaps((block[before - 1].start, block[before - 1].end), span)
        });
        if earlier {
            record(&hit, Outcome::Duplicate);
            continue;
        }
        match accepted[view_start..].last_mut() {
            Some(last) if hit.start < last.end => {
                last.end = last.end.max(hit.end);
                record(&hit, Outcome::Duplicate);
            }
            _ => accepted.push(hit),
        }
    }
    if conditions.min_count > 1 && distinct_sources(&accepted) < conditions.min_count {
        for hit in &accepted {
            record(hit, Outcome::BelowMinCount);
        }
        return Vec::new();
    }
    accepted.sort_by_key(|h| (h.start, h.end));
    for hit in &accepted {
        record(hit, Outcome::Kept);
    }
    accepted
}

/// How many distinct terms and patterns of the rule `hits` are matches of (a term matched twice,
/// or in two views, counts once).
fn distinct_sources(hits: &[Hit]) -> u32 {
    let mut sources: Vec<u32> = hits.iter().map(|h| h.source).collect();
    sources.sort_unstable();
    sources.dedup();
    sources.len() as u32
}

/// Whether a hit of an informal cue lies outside the quotations of `text` (a post already known
/// to read as edited prose): what a quoted speaker says does not set the register of the post.
/// A cue term inside one of its innocent compounds (`compound_terms`: the cue term of each
/// compound) is no cue: `á` in `châu Á`, `nha` in `Tây Ban Nha`.
fn has_informal_cue(text: &str, hits: &[Hit], compound_terms: &[u32]) -> bool {
    let mut cues = hits
        .iter()
        .filter(|h| {
            h.role == Role::Informal && compound_around(h, hits, Role::InformalCompound, compound_terms).is_none()
        })
        .peekable();
    if cues.peek().is_none() {
        return false;
    }
    let quoted = register::quotations(text);
    cues.any(|h| !quoted.iter().any(|&q| inside((h.start, h.end), q)))
}

/// The hit among `hits` of a compound (`role`: of rule terms or of cue terms) that excuses
/// `hit`: one of its term's compounds (`compound_terms`: the term of each compound) around it.
fn compound_around<'a>(hit: &Hit, hits: &'a [Hit], role: Role, compound_terms: &[u32]) -> Option<&'a Hit> {
    hits.iter().find(|c| {
        c.role == role
            && compound_terms.get(c.source as usize) == Some(&hit.source)
            && inside((hit.start, hit.end), (c.start, c.end))
    })
}

/// Records every candidate of a rule silenced because the post is in another language.
pub fn silence_other_language(hits: &[Hit], post: crate::lang::Lang, trace: Option<&mut Vec<(Hit, Outcome)>>) {
    if let Some(trace) = trace {
        for hit in hits.iter().filter(|h| h.role == Role::Hit && h.rule != GLOBAL) {
            trace.push((*hit, Outcome::OtherLanguage { post }));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn hit(role: Role, view: View, start: u32, end: u32) -> Hit {
        Hit {
            rule: 0,
            role,
            view,
            source: 0,
            start,
            end,
        }
    }

    const PLAIN: Conditions = Conditions {
        near_within: None,
        min_count: 1,
        compound_terms: Vec::new(),
        name_terms: Vec::new(),
        informal_only: false,
        informal_compound_terms: Vec::new(),
    };

    #[test]
    fn word_boundaries() {
        assert!(is_word_bounded("đồ ngu!", 6, 9));
        assert!(!is_word_bounded("ngungơ", 0, 3));
        assert!(!is_word_bounded("class", 2, 5));
        assert!(is_word_bounded("a @@ b", 2, 4));
        assert!(is_word_bounded("x@@", 1, 3), "non-word edges need no boundary");
    }

    #[test]
    fn words_between_counts_gap_words() {
        let text = "giết thời gian đi mày";
        assert_eq!(words_between(text, (0, 6), (23, 27)), 3);
        assert_eq!(words_between(text, (0, 5), (3, 8)), 0);
        for limit in 0..5 {
            assert_eq!(within_words(text, (0, 6), (23, 27), limit), limit >= 3);
            assert_eq!(within_words(text, (23, 27), (0, 6), limit), limit >= 3);
        }
    }

    #[test]
    fn unless_vetoes_the_post() {
        let hits = [
            hit(Role::Hit, View::Casefold, 0, 3),
            hit(Role::Unless, View::Casefold, 10, 20),
        ];
        assert!(resolve_rule("", &hits, &PLAIN, None).is_empty());
    }

    #[test]
    fn allow_drops_only_matches_inside() {
        let hits = [
            hit(Role::Hit, View::Fold, 0, 3),
            hit(Role::Allow, View::Fold, 0, 7),
            hit(Role::Hit, View::Fold, 10, 13),
        ];
        let kept = resolve_rule("", &hits, &PLAIN, None);
        assert_eq!(kept.len(), 1);
        assert_eq!(kept[0].start, 10);
    }

    #[test]
    fn dedupe_prefers_less_normalised_views_and_merges_overlaps() {
        let hits = [
            hit(Role::Hit, View::Fold, 0, 3),
            hit(Role::Hit, View::Casefold, 0, 3),
            hit(Role::Hit, View::Casefold, 2, 6),
            hit(Role::Hit, View::Skeleton, 20, 23),
        ];
        let kept = resolve_rule("", &hits, &PLAIN, None);
        let spans: Vec<_> = kept.iter().map(|h| (h.view, h.start, h.end)).collect();
        assert_eq!(spans, vec![(View::Casefold, 0, 6), (View::Skeleton, 20, 23)]);
    }

    #[test]
    fn a_compound_excuses_only_its_own_term() {
        // Compound 0 ("mặt mày", bytes 0..9) excuses term 1; term 0 matched inside it is kept.
        let compound = hit(Role::Compound, View::Casefold, 0, 9);
        let term = |source, start, end| Hit {
            source,
            ..hit(Role::Hit, View::Casefold, start, end)
        };
        let conditions = Conditions {
            compound_terms: vec![1],
            ..PLAIN
        };
        let mut trace = Vec::new();
        let kept = resolve_rule(
            "",
            &[term(1, 5, 9), term(0, 0, 4), compound],
            &conditions,
            Some(&mut trace),
        );
        assert_eq!(kept.len(), 1);
        assert_eq!(kept[0].source, 0);
        assert!(trace
            .iter()
            .any(|(h, o)| h.source == 1 && *o == Outcome::InCompound { source: 0 }));
    }

    #[test]
    fn near_and_min_count() {
        let text = "a b c d e f g h";
        let hits = [
            hit(Role::Hit, View::Casefold, 0, 1),
            hit(Role::Near, View::Casefold, 14, 15),
        ];
        let near = Conditions {
            near_within: Some(2),
            ..PLAIN
        };
        assert!(resolve_rule(text, &hits, &near, None).is_empty());
        let near = Conditions {
            near_within: Some(6),
            ..PLAIN
        };
        assert_eq!(resolve_rule(text, &hits, &near, None).len(), 1);
        let twice = Conditions { min_count: 2, ..PLAIN };
        assert!(resolve_rule(text, &hits[..1], &twice, None).is_empty());
    }

    #[test]
    fn min_count_counts_distinct_terms() {
        let text = "a b c d e f g h";
        let twice = Conditions { min_count: 2, ..PLAIN };
        let at = |source: u32, start: u32| Hit {
            source,
            ..hit(Role::Hit, View::Casefold, start, start + 1)
        };
        // The same term twice, or in two views, is one cue.
        let mut trace = Vec::new();
        assert!(resolve_rule(text, &[at(0, 0), at(0, 4)], &twice, Some(&mut trace)).is_empty());
        assert!(trace.iter().all(|(_, o)| *o == Outcome::BelowMinCount));
        let fold = Hit {
            view: View::Fold,
            ..at(0, 8)
        };
        assert!(resolve_rule(text, &[at(0, 0), fold], &twice, None).is_empty());
        // Two terms are two cues, and each of their matches is reported.
        assert_eq!(
            resolve_rule(text, &[at(0, 0), at(1, 4), at(0, 8)], &twice, None).len(),
            3
        );
    }

    #[test]
    fn a_name_is_a_title_case_match_inside_a_sentence() {
        let inside = |text: &str, word: &str| {
            let start = text.find(word).unwrap();
            is_inside_name(text, start, start + word.len())
        };
        assert!(inside("các nhà thư pháp Âu Dương Tuân và Ngu Thế Nam", "Ngu"));
        assert!(inside("Đến xã Kim Lũ, huyện Sóc Sơn", "Lũ"));
        assert!(inside("2006: Terence Tao (Đào Triết Hiên)", "Tao"));
        assert!(inside("đóng quân ở \"Bắc Kỳ\" lúc ấy", "Bắc Kỳ"));
        assert!(inside("Người ta gọi (Ngu thư) như thế", "Ngu"));
        // Lower case, shouting, a mixed-case word, or the start of a sentence: not a name.
        assert!(!inside("đồ ngu thế", "ngu"));
        assert!(!inside("đồ NGU thế", "NGU"));
        assert!(!inside("đồ NGu thế", "NGu"));
        assert!(!inside("Ngu thì chết", "Ngu"));
        assert!(!inside("Hết rồi. Ngu thì chết", "Ngu"));
        assert!(!inside("Hết rồi!  \"Ngu thì chết", "Ngu"));
        assert!(!inside("Hết rồi\nNgu thì chết", "Ngu"));
        assert!(!inside("bọn Bắc kỳ", "Bắc kỳ"));
    }

    #[test]
    fn informal_cues_inside_quotations_do_not_set_the_register() {
        let text = "Các tướng Taira đã thốt lên \"Yoshitsune là đồ hèn!\" mà chết đi, theo bọn sử gia.";
        let at = |w: &str| text.find(w).unwrap() as u32;
        let hits = [hit(Role::Hit, View::Casefold, at("bọn"), at("bọn") + 4)];
        let informal = Conditions {
            informal_only: true,
            ..PLAIN
        };
        // `!` inside the quotation: silenced; the same cue outside it: kept.
        let quoted = hit(Role::Informal, View::Casefold, at("!"), at("!") + 1);
        assert!(resolve_rule(text, &[hits[0], quoted], &informal, None).is_empty());
        let outside = hit(Role::Informal, View::Casefold, at("mà"), at("mà") + 3);
        assert_eq!(
            resolve_rule(text, &[hits[0], quoted, outside], &informal, None).len(),
            1
        );
    }

    #[test]
    fn informal_rules_are_silenced_by_edited_prose_without_a_cue() {
        let text = "Sau lưng nàng là bọn thuộc hạ dữ tợn của Ruber, đang đuổi theo rất gần.";
        let start = text.find("bọn").unwrap() as u32;
        let hits = [hit(Role::Hit, View::Casefold, start, start + 4)];
        let informal = Conditions {
            informal_only: true,
            ..PLAIN
        };
        let mut trace = Vec::new();
        assert!(resolve_rule(text, &hits, &informal, Some(&mut trace)).is_empty());
        assert_eq!(trace[0].1, Outcome::EditedProse);
        // A rule without the condition, or an informal cue in the post, keeps the match.
        assert_eq!(resolve_rule(text, &hits, &PLAIN, None).len(), 1);
        let cue = hit(Role::Informal, View::Casefold, 0, 3);
        assert_eq!(resolve_rule(text, &[hits[0], cue], &informal, None).len(), 1);
        // Not prose: the same words in a comment.
        let comment = "bọn thuộc hạ dữ tợn";
        assert_eq!(
            resolve_rule(comment, &[hit(Role::Hit, View::Casefold, 0, 4)], &informal, None).len(),
            1
        );
    }

    #[test]
    fn an_informal_cue_inside_its_compound_is_no_cue() {
        let text = "Các tàu Bồ Đào Nha chở bọn lái buôn nô lệ đến bờ biển châu Phi, nha.";
        let at = |w: &str| text.find(w).unwrap() as u32;
        let rule = hit(Role::Hit, View::Casefold, at("bọn"), at("bọn") + 4);
        // Cue term 0 is `nha`; compound 0 (`bồ đào nha`) excuses term 0.
        let nha = |start: u32| Hit {
            source: 0,
            ..hit(Role::Informal, View::Casefold, start, start + 3)
        };
        let compound = hit(Role::InformalCompound, View::Casefold, at("Bồ"), at("Nha") + 3);
        let informal = Conditions {
            informal_only: true,
            informal_compound_terms: vec![0],
            ..PLAIN
        };
        assert!(resolve_rule(text, &[rule, nha(at("Nha")), compound], &informal, None).is_empty());
        // The particle outside the compound is a cue; a compound of another cue term excuses
        // nothing.
        let particle = nha(text.rfind("nha").unwrap() as u32);
        assert_eq!(
            resolve_rule(text, &[rule, nha(at("Nha")), particle, compound], &informal, None).len(),
            1
        );
        let other = Conditions {
            informal_compound_terms: vec![1],
            ..informal
        };
        assert_eq!(
            resolve_rule(text, &[rule, nha(at("Nha")), compound], &other, None).len(),
            1
        );
    }

    #[test]
    fn only_name_terms_are_excused_as_names() {
        // "ông Ngu Lũ": term 0 (Ngu) is a name syllable, term 1 (Lũ) is not.
        let text = "ông Ngu Lũ";
        let (ngu, lu) = (text.find("Ngu").unwrap() as u32, text.find("Lũ").unwrap() as u32);
        let term = |source, start, end| Hit {
            source,
            ..hit(Role::Hit, View::Casefold, start, end)
        };
        let conditions = Conditions {
            name_terms: vec![0],
            ..PLAIN
        };
        let mut trace = Vec::new();
        let kept = resolve_rule(
            text,
            &[term(0, ngu, ngu + 3), term(1, lu, lu + 4)],
            &conditions,
            Some(&mut trace),
        );
        assert_eq!(kept.len(), 1);
        assert_eq!(kept[0].source, 1);
        assert!(trace.iter().any(|(h, o)| h.source == 0 && *o == Outcome::InName));
    }
}
