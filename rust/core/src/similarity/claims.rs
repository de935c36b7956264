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
/// Default similarity a post must reach to restate a claim (chosen with [`WORD_SHARE`] on the
/// tune half of `benchmarks/bench_claims.py`: the highest threshold keeping recall >= 0.93 there).
pub const DEFAULT_CLAIM_THRESHOLD: f32 = 0.59;
/// Share of the similarity that is word containment; the rest is pair (word order) containment.
/// Words weigh more because a rewording that keeps 60% of a claim's words keeps only about 36%
/// of its pairs, while a post sharing one phrase with a claim about another subject keeps that
/// phrase's pairs whole. At equal recall (0.93) on the tune half, the clean unrelated set had 69
/// false matches with squared weights and the plain mean (the old score), 30 with unsquared
/// weights and the plain mean, and 7 with unsquared weights and this share; the posts of other
/// articles, without leaving out those that keep 60% of a claim's words, 655, 668 and 557.
pub const WORD_SHARE: f32 = 0.8;

type Map<V> = HashMap<u64, V, BuildHasherDefault<IdentityHasher>>;

/// The index keys: an open-addressed table at most half full, a key's slot being its low bits
/// (the bit filter uses the top ones). A probe reads one 16-byte slot, where the std map read a
/// control group and then a bucket elsewhere: those two cache misses were a third of the
/// claims step (`perf`, 10,000 claims).
struct KeyTable {
    /// `(key, at, len)`; `len` 0 marks an empty slot (every key has at least one phrasing).
    slots: Vec<(u64, u32, u32)>,
    mask: usize,
}

impl KeyTable {
    fn new(keys: usize) -> KeyTable {
        let size = (keys.max(1) * 2).next_power_of_two();
        KeyTable {
            slots: vec![(0, 0, 0); size],
            mask: size - 1,
        }
    }

    fn insert(&mut self, key: u64, at: u32, len: u32) {
        let mut i = key as usize & self.mask;
        while self.slots[i].2 != 0 {
            i = (i + 1) & self.mask;
        }
        self.slots[i] = (key, at, len);
    }

    #[inline]
    fn get(&self, key: u64) -> Option<(u32, u32)> {
        let mut i = key as usize & self.mask;
        loop {
            let (k, at, len) = self.slots[i];
            if len == 0 {
                return None;
            }
            if k == key {
                return Some((at, len));
            }
            i = (i + 1) & self.mask;
        }
    }

    /// Asks the CPU to load `key`'s slot, so that the probes of a post's pairs overlap.
    #[inline]
    fn prefetch(&self, key: u64) {
        #[cfg(target_arch = "x86_64")]
        // SAFETY: the index is masked into `slots`; a prefetch never faults nor writes.
        unsafe {
            use std::arch::x86_64::{_mm_prefetch, _MM_HINT_T0};
            _mm_prefetch::<_MM_HINT_T0>(self.slots.as_ptr().add(key as usize & self.mask).cast());
        }
        #[cfg(not(target_arch = "x86_64"))]
        let _ = key;
    }
}

/// A word or word pair of a phrasing and its weight.
#[derive(Clone, Copy)]
struct Weighted {
    hash: u64,
    weight: f32,
}

/// A phrasing's words and pairs are ranges of [`ClaimIndex::elements`], one after the other:
/// verifying a candidate reads a few consecutive cache lines rather than four allocations.
struct Phrasing {
    claim: u32,
    /// Index of the phrasing among its claim's.
    nth: u32,
    /// Start of its sorted words in the elements; its sorted pairs follow them.
    at: u32,
    words: u32,
    pairs: u32,
    /// Sums of the weights of its words and of its pairs.
    word_total: f32,
    pair_total: f32,
    len: usize,
}

/// Sum of the weights of the elements of sorted `a` found in sorted `b`.
fn shared_weight(a: &[Weighted], b: &[u64]) -> f32 {
    let (mut i, mut j, mut sum) = (0, 0, 0.0);
    while i < a.len() && j < b.len() {
        match a[i].hash.cmp(&b[j]) {
            std::cmp::Ordering::Less => i += 1,
            std::cmp::Ordering::Greater => j += 1,
            std::cmp::Ordering::Equal => {
                sum += a[i].weight;
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
    /// The post's pairs that pass the bit filter, and their positions.
    passing: Vec<(u64, u32)>,
    /// Per phrasing: shared key pairs, and the first and last one's position (one array, so
    /// that counting a hit touches one cache line).
    hits: Vec<Hits>,
    touched: Vec<u32>,
    /// The words and pairs of the whole post, sorted once when its first candidate is
    /// verified (`post_sorted`): most posts are shorter than a claim's window, so every
    /// candidate of the post is verified against the same sets.
    post: Window,
    post_sorted: bool,
    /// The same for a window shorter than the post.
    window: Window,
    accepted: Vec<Accepted>,
}

#[derive(Clone, Copy, Default)]
struct Hits {
    count: u32,
    lo: u32,
    hi: u32,
}

/// A run of word hashes as a sorted set of words and of `(pair, position)`, sorted by pair.
#[derive(Default)]
struct Window {
    words: Vec<u64>,
    pairs: Vec<(u64, u32)>,
}

impl Window {
    /// Fills with `hashes`, whose first word is word `from` of the post.
    fn fill(&mut self, hashes: &[u64], from: usize) {
        self.words.clear();
        self.words.extend_from_slice(hashes);
        self.words.sort_unstable();
        self.words.dedup();
        self.pairs.clear();
        self.pairs.extend(
            hashes
                .windows(2)
                .enumerate()
                .map(|(i, w)| (pair(w[0], w[1]), (from + i) as u32)),
        );
        self.pairs.sort_unstable_by_key(|p| p.0);
    }

    /// Weight of the sorted `pairs` found here, and the first and last position of those
    /// found (`None` when none is).
    fn shared_pairs(&self, pairs: &[Weighted]) -> (f32, Option<(u32, u32)>) {
        let (mut i, mut j, mut sum) = (0, 0, 0.0);
        let mut span: Option<(u32, u32)> = None;
        let mine = &self.pairs;
        while i < pairs.len() && j < mine.len() {
            match pairs[i].hash.cmp(&mine[j].0) {
                std::cmp::Ordering::Less => i += 1,
                std::cmp::Ordering::Greater => j += 1,
                std::cmp::Ordering::Equal => {
                    sum += pairs[i].weight;
                    while j < mine.len() && mine[j].0 == pairs[i].hash {
                        let at = mine[j].1;
                        span = Some(span.map_or((at, at), |(a, b)| (a.min(at), b.max(at))));
                        j += 1;
                    }
                    i += 1;
                }
            }
        }
        (sum, span)
    }
}

/// Claims compiled for matching: phrasings as word and pair sets, and an inverted index from
/// distinctive word pairs to phrasings (a hash map to a phrasing, or into one postings array
/// when the pair is a key of several, behind a bit
/// filter that rejects most of a post's pairs without touching the map).
pub struct ClaimIndex {
    claims: Vec<Claim>,
    phrasings: Vec<Phrasing>,
    elements: Vec<Weighted>,
    /// Per key: (phrasing, 1) for a key of one phrasing, else (start, length) in `postings`.
    keys: KeyTable,
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
        let mut sets: Vec<(Vec<u64>, Vec<u64>)> = Vec::new();
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
                    at: 0,
                    words: words.len() as u32,
                    pairs: pairs.len() as u32,
                    len: hashes.len(),
                    word_total: 0.0,
                    pair_total: 0.0,
                });
                sets.push((words, pairs));
            }
        }
        // Only distinctive pairs are index keys: a pair in many phrasings ("của các", "là
        // một") would make every post a candidate of thousands of claims. Each phrasing keeps
        // at least its INDEXED_PAIRS rarest pairs as keys; all pairs still count when verifying.
        // Pairs in more than 0.05% of the phrasings (and 5) are common: with 10,000 claims of
        // Wikipedia sentences and posts from other sentences of the same articles, a cut at
        // 0.5% (20) made a post touch 200 phrasings and verify 21, 0.1% (10) 48 and 2.9, this
        // one 23 and 1.1, while the rewordings that share two keys with their claim go from
        // 99.2% to 98.0% (tune half; a Python model of the index).
        let common = (phrasings.len() / 2000).max(5) as u32;
        let mut lists: Map<Vec<u32>> = Map::default();
        for (p, (_, pairs)) in sets.iter().enumerate() {
            let mut keys: Vec<(u32, u64)> = pairs.iter().map(|h| (df[h], *h)).collect();
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
        let mut keys = KeyTable::new(lists.len());
        let mut postings = Vec::new();
        for (h, list) in lists {
            let bit = (h >> filter_shift) as usize;
            filter[bit / 64] |= 1 << (bit % 64);
            if let [only] = list[..] {
                keys.insert(h, only, 1);
            } else {
                keys.insert(h, postings.len() as u32, list.len() as u32);
                postings.extend(list);
            }
        }
        // A word in one phrasing of 10,000 weighs twice one in a hundred of them, so that a post
        // keeping only the words a claim shares with others (a template such as "X tại Từ điển
        // bách khoa Việt Nam" with another X) scores lower. Not squared (it was): squared, a few
        // rare words shared with a claim about another subject ("Google Docs", a place name)
        // outweighed the claim's missing words (see WORD_SHARE for the figures).
        let n = phrasings.len() as f32;
        let weighted = |&hash: &u64| Weighted {
            hash,
            weight: (1.0 + n / df.get(&hash).copied().unwrap_or(1) as f32).ln(),
        };
        let mut elements = Vec::new();
        for (p, (words, pairs)) in phrasings.iter_mut().zip(&sets) {
            p.at = elements.len() as u32;
            elements.extend(words.iter().map(weighted));
            p.word_total = elements[p.at as usize..].iter().map(|e| e.weight).sum();
            elements.extend(pairs.iter().map(weighted));
            p.pair_total = elements[(p.at + p.words) as usize..].iter().map(|e| e.weight).sum();
        }
        let threads = threads.unwrap_or_else(|| std::thread::available_parallelism().map_or(1, |n| n.get()));
        Ok(ClaimIndex {
            claims,
            phrasings,
            elements,
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
    /// first and last position each (in `s.touched` and `s.hits`).
    fn candidates(&self, hashes: &[u64], s: &mut Scratch) {
        s.touched.clear();
        // First the filter, for every pair and without a branch on its bit (which pairs pass
        // is unpredictable), then the table's slots of those that passed are all asked for
        // before the first is read, so that their cache misses overlap.
        let pairs = hashes.len().saturating_sub(1);
        s.passing.clear();
        s.passing.resize(pairs, (0, 0));
        let mut n = 0;
        for (i, w) in hashes.windows(2).enumerate() {
            let h = pair(w[0], w[1]);
            let bit = (h >> self.filter_shift) as usize;
            s.passing[n] = (h, i as u32);
            n += (self.filter[bit / 64] >> (bit % 64)) as usize & 1;
        }
        s.passing.truncate(n);
        for &(h, _) in &s.passing {
            self.keys.prefetch(h);
        }
        for &(h, i) in &s.passing {
            let Some((at, len)) = self.keys.get(h) else {
                continue;
            };
            let one = [at];
            let list = if len == 1 {
                &one[..]
            } else {
                &self.postings[at as usize..(at + len) as usize]
            };
            for &p in list {
                let hits = &mut s.hits[p as usize];
                if hits.count == 0 {
                    s.touched.push(p);
                    hits.lo = i;
                }
                hits.count += 1;
                hits.hi = i;
            }
        }
    }

    /// The similarity of phrasing `k` and the window of `hashes` around pairs `lo..=hi`, and
    /// the first and last pair of the window that the phrasing has (positions in `hashes`).
    fn verify(&self, k: usize, hashes: &[u64], lo: usize, hi: usize, s: &mut Scratch) -> (f32, usize, usize) {
        let phrasing = &self.phrasings[k];
        let from = lo.saturating_sub(phrasing.len);
        let to = (hi + 2 + phrasing.len).min(hashes.len());
        let window = if from == 0 && to == hashes.len() {
            if !s.post_sorted {
                s.post.fill(hashes, 0);
                s.post_sorted = true;
            }
            &s.post
        } else {
            s.window.fill(&hashes[from..to], from);
            &s.window
        };
        let (words, pairs) = self.elements[phrasing.at as usize..][..(phrasing.words + phrasing.pairs) as usize]
            .split_at(phrasing.words as usize);
        let (pair_weight, span) = window.shared_pairs(pairs);
        // The span runs from the first to the last pair the phrasing has.
        let (first, last) = span.map_or((lo, hi), |(a, b)| (a as usize, b as usize));
        let containment = WORD_SHARE * shared_weight(words, &window.words) / phrasing.word_total
            + (1.0 - WORD_SHARE) * pair_weight / phrasing.pair_total;
        // Shared words spread over more words than the phrasing has are not a restatement.
        let span = last - first + 2;
        let spread = (phrasing.len as f32 / span as f32).min(1.0);
        (containment * spread, first, last)
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
            s.hits.resize(self.phrasings.len(), Hits::default());
        }
        // Hashes only: offsets are computed below for the few posts that match.
        let mut hashes = std::mem::take(&mut s.hashes);
        hashes.clear();
        Words::hashes_into(text, &mut hashes);
        self.candidates(&hashes, s);
        s.post_sorted = false;
        s.accepted.clear();
        let touched = std::mem::take(&mut s.touched);
        for &p in &touched {
            let k = p as usize;
            let Hits { count, lo, hi } = std::mem::take(&mut s.hits[k]);
            if count < min_shared {
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
