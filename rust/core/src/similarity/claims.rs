//! Known claims restated in posts: [`ClaimIndex`] (see the module docs of `similarity` for the
//! similarity). The scan is built to cost little on the many posts that restate nothing: word
//! hashes come from [`Words::split`] without offsets (no fold view for most texts), each word
//! pair is looked up in a bit filter before the inverted index, and offsets are computed only
//! for the rare post that reaches the threshold.

use std::collections::HashMap;
use std::hash::BuildHasherDefault;
use std::sync::{Arc, Mutex};

use rayon::prelude::*;

use super::{decode, pair, pool, sorted_pairs, sorted_set, IdentityHasher, Words};
use crate::error::{Error, Result};
use crate::ruleset::Claim;
use crate::scanner::TextSource;

/// Claims shorter than this (in words, fold view) are refused: a few words are everyday text.
pub const MIN_CLAIM_WORDS: usize = 5;
/// A claim is verified only when the post shares at least this many word pairs with it.
pub const MIN_SHARED_PAIRS: u32 = 2;
/// Each phrasing is found through at least this many of its rarest word pairs.
const INDEXED_PAIRS: usize = 4;
/// Default similarity a post must reach to restate a claim.
pub const DEFAULT_CLAIM_THRESHOLD: f32 = 0.5;

type Map<V> = HashMap<u64, V, BuildHasherDefault<IdentityHasher>>;

struct Phrasing {
    claim: u32,
    /// Index of the phrasing among its claim's.
    nth: u32,
    words: Vec<u64>,
    pairs: Vec<u64>,
    /// Weight of each word and pair (same order), and their sums.
    word_weights: Vec<f32>,
    pair_weights: Vec<f32>,
    word_total: f32,
    pair_total: f32,
    len: usize,
}

/// Sum of the weights of the elements of sorted `a` (weights `w`) found in sorted `b`.
fn shared_weight(a: &[u64], w: &[f32], b: &[u64]) -> f32 {
    let (mut i, mut j, mut sum) = (0, 0, 0.0);
    while i < a.len() && j < b.len() {
        match a[i].cmp(&b[j]) {
            std::cmp::Ordering::Less => i += 1,
            std::cmp::Ordering::Greater => j += 1,
            std::cmp::Ordering::Equal => {
                sum += w[i];
                i += 1;
                j += 1;
            }
        }
    }
    sum
}

/// A post that restates a claim.
#[derive(Clone, Debug)]
pub struct ClaimMatch {
    /// Row of the text in the texts scanned.
    pub row: u32,
    /// Index of the claim in [`ClaimIndex::claims`].
    pub claim: u32,
    /// Index of the best phrasing among the claim's.
    pub phrasing: u32,
    /// The similarity (see the module docs), in [0, 1].
    pub similarity: f32,
    /// Start of the span, in characters of the original text.
    pub start: u32,
    /// End of the span (exclusive), in characters.
    pub end: u32,
    /// The span's text.
    pub matched: String,
    /// The span with up to `context` characters either side.
    pub context: String,
    /// Where the span starts in `context`, in characters.
    pub context_start: u32,
}

/// A phrasing that reached the threshold: its similarity and first and last shared pair.
#[derive(Clone, Copy)]
struct Accepted {
    phrasing: u32,
    similarity: f32,
    lo: u32,
    hi: u32,
}

/// Per-thread buffers, reused from post to post: counters of shared pairs per phrasing (reset
/// through the list of those touched) and the window being verified.
#[derive(Default)]
struct Scratch {
    words: Words,
    hashes: Vec<u64>,
    hits: Vec<u32>,
    lo: Vec<u32>,
    hi: Vec<u32>,
    touched: Vec<u32>,
    window_words: Vec<u64>,
    window_pairs: Vec<u64>,
    accepted: Vec<Accepted>,
}

/// Claims compiled for matching: phrasings as word and pair sets, and an inverted index from
/// distinctive word pairs to phrasings (a hash map into one postings array, behind a bit
/// filter that rejects most of a post's pairs without touching the map).
pub struct ClaimIndex {
    claims: Vec<Claim>,
    phrasings: Vec<Phrasing>,
    keys: Map<(u32, u32)>,
    postings: Vec<u32>,
    filter: Vec<u64>,
    filter_shift: u32,
    threshold: f32,
    context_chars: usize,
    threads: usize,
    pool: Mutex<Option<(u32, Arc<rayon::ThreadPool>)>>,
}

impl ClaimIndex {
    /// Compiles validated claims (see [`crate::ruleset::validate_claims`]); `threshold` is the
    /// similarity a post must reach, `context_chars` the context kept around a span.
    pub fn new(claims: Vec<Claim>, threshold: f32, context_chars: usize, threads: Option<usize>) -> Result<ClaimIndex> {
        if !(threshold > 0.0 && threshold <= 1.0) {
            return Err(Error::Input(format!("claim threshold {threshold} is not in (0, 1]")));
        }
        let mut words = Words::default();
        let mut phrasings = Vec::new();
        // How many phrasings each word and pair is in: words that many claims share
        // ("tháng", "năm", "người") say less about which claim a post restates.
        let mut df: Map<u32> = Map::default();
        for (c, claim) in claims.iter().enumerate() {
            for (nth, text) in claim.all_phrasings().enumerate() {
                words.split(text, false);
                let hashes: Vec<u64> = words.hashes().collect();
                let pairs = sorted_pairs(&hashes);
                if pairs.is_empty() {
                    continue;
                }
                let words = sorted_set(hashes.iter().copied());
                for &h in words.iter().chain(&pairs) {
                    *df.entry(h).or_default() += 1;
                }
                phrasings.push(Phrasing {
                    claim: c as u32,
                    nth: nth as u32,
                    len: hashes.len(),
                    words,
                    pairs,
                    word_weights: Vec::new(),
                    pair_weights: Vec::new(),
                    word_total: 0.0,
                    pair_total: 0.0,
                });
            }
        }
        // Only distinctive pairs are index keys: a pair in many phrasings ("của các", "là
        // một") would make every post a candidate of thousands of claims. Each phrasing keeps
        // at least its INDEXED_PAIRS rarest pairs as keys; all pairs still count when verifying.
        // Pairs in more than 0.1% of the phrasings (and 10) are common: with 10,000 claims of
        // Wikipedia sentences, a cut at 0.5% made posts touch 200 phrasings and verify 21 each.
        let common = (phrasings.len() / 1000).max(10) as u32;
        let mut lists: Map<Vec<u32>> = Map::default();
        for (p, phrasing) in phrasings.iter().enumerate() {
            let mut keys: Vec<(u32, u64)> = phrasing.pairs.iter().map(|h| (df[h], *h)).collect();
            keys.sort_unstable();
            for (i, &(count, h)) in keys.iter().enumerate() {
                if i < INDEXED_PAIRS || count <= common {
                    lists.entry(h).or_default().push(p as u32);
                }
            }
        }
        // About 16 filter bits per key: a pair that is no key passes with odds of ~1 in 16.
        let bits = (lists.len().max(1) * 16)
            .next_power_of_two()
            .trailing_zeros()
            .clamp(10, 30);
        let mut filter = vec![0u64; (1usize << bits) / 64];
        let filter_shift = 64 - bits;
        let mut keys = Map::default();
        let mut postings = Vec::new();
        for (h, list) in lists {
            let bit = (h >> filter_shift) as usize;
            filter[bit / 64] |= 1 << (bit % 64);
            keys.insert(h, (postings.len() as u32, list.len() as u32));
            postings.extend(list);
        }
        // Squared: a word in one phrasing of 10,000 weighs 4 times one in a hundred of them, so
        // that a post keeping only the words a claim shares with others (a template such as
        // "X tại Từ điển bách khoa Việt Nam" with another X) scores low.
        let n = phrasings.len() as f32;
        let weight = |h: &u64| (1.0 + n / df.get(h).copied().unwrap_or(1) as f32).ln().powi(2);
        for p in &mut phrasings {
            p.word_weights = p.words.iter().map(weight).collect();
            p.pair_weights = p.pairs.iter().map(weight).collect();
            p.word_total = p.word_weights.iter().sum();
            p.pair_total = p.pair_weights.iter().sum();
        }
        let threads = threads.unwrap_or_else(|| std::thread::available_parallelism().map_or(1, |n| n.get()));
        Ok(ClaimIndex {
            claims,
            phrasings,
            keys,
            postings,
            filter,
            filter_shift,
            threshold,
            context_chars,
            threads: threads.max(1),
            pool: Mutex::new(None),
        })
    }

    /// The claims, in the order matches refer to them.
    pub fn claims(&self) -> &[Claim] {
        &self.claims
    }

    /// The similarity threshold.
    pub fn threshold(&self) -> f32 {
        self.threshold
    }

    /// The claims as JSON.
    pub fn claims_json(&self) -> String {
        serde_json::to_string(&self.claims).unwrap_or_else(|_| "[]".into())
    }

    /// Characters of context kept either side of a span.
    pub fn context_chars(&self) -> usize {
        self.context_chars
    }

    /// Number of phrasings indexed.
    pub fn phrasings(&self) -> usize {
        self.phrasings.len()
    }

    /// Every claim that `text` restates (at or above the threshold), the best phrasing each.
    pub fn match_text(&self, text: &str) -> Vec<ClaimMatch> {
        let mut scratch = Scratch::default();
        let mut out = Vec::new();
        self.match_into(0, text, &mut scratch, MIN_SHARED_PAIRS, self.threshold, &mut out);
        out
    }

    /// The claim closest to `text` whatever its score (for `rules explain`), if any shares a
    /// word pair with it.
    pub fn best(&self, text: &str) -> Option<ClaimMatch> {
        let mut scratch = Scratch::default();
        let mut out = Vec::new();
        self.match_into(0, text, &mut scratch, 1, 0.0, &mut out);
        out.into_iter().max_by(|a, b| a.similarity.total_cmp(&b.similarity))
    }

    /// The phrasings of the index keys among `hashes`' word pairs, and the shared pairs'
    /// first and last position each (in `s.touched`, `s.hits`, `s.lo`, `s.hi`).
    fn candidates(&self, hashes: &[u64], s: &mut Scratch) {
        s.touched.clear();
        for (i, w) in hashes.windows(2).enumerate() {
            let h = pair(w[0], w[1]);
            let bit = (h >> self.filter_shift) as usize;
            if self.filter[bit / 64] & (1 << (bit % 64)) == 0 {
                continue;
            }
            let Some(&(at, len)) = self.keys.get(&h) else {
                continue;
            };
            for &p in &self.postings[at as usize..(at + len) as usize] {
                let k = p as usize;
                if s.hits[k] == 0 {
                    s.touched.push(p);
                    s.lo[k] = i as u32;
                }
                s.hits[k] += 1;
                s.hi[k] = i as u32;
            }
        }
    }

    /// The similarity of phrasing `k` and the window of `hashes` around pairs `lo..=hi`, and
    /// the first and last pair of the window that the phrasing has (positions in `hashes`).
    fn verify(&self, k: usize, hashes: &[u64], lo: usize, hi: usize, s: &mut Scratch) -> (f32, usize, usize) {
        let phrasing = &self.phrasings[k];
        let from = lo.saturating_sub(phrasing.len);
        let to = (hi + 2 + phrasing.len).min(hashes.len());
        let window = &hashes[from..to];
        s.window_words.clear();
        s.window_words.extend_from_slice(window);
        s.window_pairs.clear();
        s.window_pairs.extend(window.windows(2).map(|w| pair(w[0], w[1])));
        // The span runs from the first to the last pair the phrasing has.
        let has = |p: &u64| phrasing.pairs.binary_search(p).is_ok();
        let first = s.window_pairs.iter().position(has).unwrap_or(lo - from);
        let last = s.window_pairs.iter().rposition(has).unwrap_or(hi - from);
        s.window_words.sort_unstable();
        s.window_words.dedup();
        s.window_pairs.sort_unstable();
        s.window_pairs.dedup();
        let containment = (shared_weight(&phrasing.words, &phrasing.word_weights, &s.window_words)
            / phrasing.word_total
            + shared_weight(&phrasing.pairs, &phrasing.pair_weights, &s.window_pairs) / phrasing.pair_total)
            / 2.0;
        // Shared words spread over more words than the phrasing has are not a restatement.
        let span = last - first + 2;
        let spread = (phrasing.len as f32 / span as f32).min(1.0);
        (containment * spread, from + first, from + last)
    }

    fn match_into(
        &self,
        row: u32,
        text: &str,
        s: &mut Scratch,
        min_shared: u32,
        threshold: f32,
        out: &mut Vec<ClaimMatch>,
    ) {
        if self.phrasings.is_empty() {
            return;
        }
        if s.hits.len() < self.phrasings.len() {
            s.hits.resize(self.phrasings.len(), 0);
            s.lo.resize(self.phrasings.len(), 0);
            s.hi.resize(self.phrasings.len(), 0);
        }
        // Hashes only: offsets are computed below for the few posts that match.
        s.words.split(text, false);
        let mut hashes = std::mem::take(&mut s.hashes);
        hashes.clear();
        hashes.extend(s.words.hashes());
        self.candidates(&hashes, s);
        s.accepted.clear();
        let touched = std::mem::take(&mut s.touched);
        for &p in &touched {
            let k = p as usize;
            let (hits, lo, hi) = (s.hits[k], s.lo[k], s.hi[k]);
            s.hits[k] = 0;
            if hits < min_shared {
                continue;
            }
            let (similarity, lo, hi) = self.verify(k, &hashes, lo as usize, hi as usize, s);
            if similarity < threshold {
                continue;
            }
            let (lo, hi) = (lo as u32, hi as u32);
            let claim = self.phrasings[k].claim;
            match s
                .accepted
                .iter_mut()
                .find(|a| self.phrasings[a.phrasing as usize].claim == claim)
            {
                Some(prev) if prev.similarity >= similarity => {}
                Some(prev) => {
                    *prev = Accepted {
                        phrasing: p,
                        similarity,
                        lo,
                        hi,
                    }
                }
                None => s.accepted.push(Accepted {
                    phrasing: p,
                    similarity,
                    lo,
                    hi,
                }),
            }
        }
        s.touched = touched;
        s.hashes = hashes;
        if s.accepted.is_empty() {
            return;
        }
        s.words.split(text, true);
        let words = &s.words.words;
        for a in &s.accepted {
            let (lo, hi) = (a.lo as usize, (a.hi as usize + 1).min(words.len().saturating_sub(1)));
            let Some((start, end)) = words.get(lo).zip(words.get(hi)).map(|(l, h)| (l.start, h.end)) else {
                continue;
            };
            let phrasing = &self.phrasings[a.phrasing as usize];
            out.push(self.found(row, phrasing.claim, phrasing.nth, a.similarity, text, start, end));
        }
    }

    #[allow(clippy::too_many_arguments)]
    fn found(
        &self,
        row: u32,
        claim: u32,
        phrasing: u32,
        similarity: f32,
        text: &str,
        start: u32,
        end: u32,
    ) -> ClaimMatch {
        let (start, end) = (start as usize, end as usize);
        let char_start = text[..start].chars().count();
        let matched = &text[start..end];
        let before = text[..start].char_indices().rev().take(self.context_chars);
        let (from, taken) = before.fold((start, 0u32), |(_, n), (i, _)| (i, n + 1));
        let to = text[end..]
            .char_indices()
            .nth(self.context_chars)
            .map_or(text.len(), |(i, _)| end + i);
        ClaimMatch {
            row,
            claim,
            phrasing,
            similarity,
            start: char_start as u32,
            end: (char_start + matched.chars().count()) as u32,
            matched: matched.to_owned(),
            context: if self.context_chars > 0 {
                text[from..to].to_owned()
            } else {
                String::new()
            },
            context_start: if self.context_chars > 0 { taken } else { 0 },
        }
    }

    /// Matches every row of `texts` in parallel; matches come in row order.
    pub fn scan(&self, texts: &(impl TextSource + ?Sized)) -> Result<Vec<ClaimMatch>> {
        let n = texts.len();
        if self.phrasings.is_empty() || n == 0 {
            return Ok(Vec::new());
        }
        let work = || {
            let chunks: Vec<(usize, usize)> = (0..n).step_by(256).map(|s| (s, (s + 256).min(n))).collect();
            let parts: Vec<Vec<ClaimMatch>> = chunks
                .par_iter()
                .map_init(Scratch::default, |s, &(a, b)| {
                    let mut out = Vec::new();
                    for row in a..b {
                        if let Some(text) = decode(texts, row) {
                            self.match_into(row as u32, &text, s, MIN_SHARED_PAIRS, self.threshold, &mut out);
                        }
                    }
                    out
                })
                .collect();
            parts.into_iter().flatten().collect()
        };
        Ok(match pool(&self.pool, self.threads)? {
            Some(pool) => pool.install(work),
            None => work(),
        })
    }
}

/// Claims given as a JSON list (a claims file read by the Python layer), named `source` in
/// messages; validate them with [`crate::ruleset::validate_claims`].
pub fn claims_from_json(json: &str, source: &str) -> Result<Vec<Claim>> {
    let mut claims: Vec<Claim> =
        serde_json::from_str(json).map_err(|e| Error::ruleset(source, None, format!("not a list of claims: {e}")))?;
    for claim in &mut claims {
        claim.file = source.to_owned();
    }
    Ok(claims)
}
