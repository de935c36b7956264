//! Text similarity on the fold view: known claims restated in posts ([`ClaimIndex`]) and
//! near-duplicate posts across accounts (MinHash signatures and LSH bands, [`minhash_bands`]).
//!
//! Both compare *words* of the fold view (case and diacritics folded, so `vac xin` is `vắc
//! xin`), as 64-bit hashes: a word is a maximal run of letters and digits. Links, emoji and
//! punctuation added to a copy only add words; they never break the words it shares.
//!
//! **Claims.** A claim phrasing `C` and a window `W` of a post are compared by
//! `similarity = (0.8 w(words(C) ∩ words(W)) / w(words(C)) + 0.2 w(pairs(C) ∩ pairs(W)) /
//! w(pairs(C))) × min(1, len(C) / len(S))` (0.8 is [`WORD_SHARE`]), where `pairs` are the word
//! 2-shingles (consecutive word pairs), `w` sums weights and `S` is the span of the post from the first to the last pair it shares
//! with `C`: the first term is how much of the claim's vocabulary the post uses, the second how
//! much of its word order it keeps, the last factor lowers a post whose shared words are spread
//! over more words than the claim has. A word's (pair's) weight is `ln(1 + P / df)`, with `P`
//! the phrasings indexed and `df` those containing it, so words that many claims share count
//! much less than the claim's own (with one claim, or claims without common words, every weight
//! is equal). It is a containment, not a Jaccard index, so a claim quoted inside a long post
//! still scores 1. An inverted index from word pairs to phrasings is the prefilter (see
//! `claims`): only phrasings sharing at least [`MIN_SHARED_PAIRS`] indexed pairs with the post
//! are verified exactly (pairs found in more than 0.05% of the phrasings, and at least 5, are
//! indexed only as a phrasing's four rarest). The window runs from the first to the last shared
//! indexed pair, widened by the phrasing's length on each side; the finding's span is `S`.
//!
//! **Campaigns.** Posts are sets of word 2-shingles; pairs that occur in too many posts (a
//! [`DocFrequency`] table, counted first) are dropped, so greetings and boilerplate neither make
//! posts collide nor count towards their length. A MinHash signature of the rest is cut into
//! bands; posts sharing a band hash are candidate copies (the caller groups them).

use std::borrow::Cow;
use std::hash::Hasher;
use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::{Arc, Mutex};

use rayon::prelude::*;

use crate::error::{Error, Result};
use crate::normalise::{View, ViewSet, ViewTexts};
use crate::scanner::TextSource;

mod claims;
mod fastfold;

pub use claims::{
    claims_from_json, ClaimIndex, ClaimMatch, DEFAULT_CLAIM_THRESHOLD, MIN_CLAIM_WORDS, MIN_SHARED_PAIRS, WORD_SHARE,
};

/// One word of a text: its hash and its byte range in the original text.
#[derive(Clone, Copy, Debug)]
pub struct Word {
    /// Hash of the word's fold-view bytes.
    pub hash: u64,
    /// Start byte in the original text (when offsets were asked for).
    pub start: u32,
    /// End byte in the original text.
    pub end: u32,
}

/// Splits texts into fold-view words, reusing its buffers from text to text.
#[derive(Default)]
pub struct Words {
    views: ViewTexts,
    hashes: Vec<u64>,
    /// The words of the last text split.
    pub words: Vec<Word>,
}

#[inline]
fn mix(mut x: u64) -> u64 {
    // splitmix64's finaliser: a cheap, well-spread 64-bit mix.
    x ^= x >> 30;
    x = x.wrapping_mul(0xbf58_476d_1ce4_e5b9);
    x ^= x >> 27;
    x = x.wrapping_mul(0x94d0_49bb_1331_11eb);
    x ^ (x >> 31)
}

#[inline]
fn hash_bytes(bytes: &[u8]) -> u64 {
    mix(fastfold::fnv(bytes))
}

/// The shingle of two consecutive words.
#[inline]
fn pair(a: u64, b: u64) -> u64 {
    mix(a.rotate_left(23) ^ b.wrapping_mul(0x9e37_79b9_7f4a_7c15))
}

impl Words {
    /// Splits `text`; with `offsets`, each word's original byte range is kept too.
    pub fn split(&mut self, text: &str, offsets: bool) {
        self.words.clear();
        if !offsets {
            // Without offsets, no fold view is built for most text (see `fastfold`).
            self.hashes.clear();
            Self::hashes_into(text, &mut self.hashes);
            self.words
                .extend(self.hashes.iter().map(|&hash| Word { hash, start: 0, end: 0 }));
            return;
        }
        self.views.build(text, ViewSet::of(View::Fold), offsets);
        let fold = self.views.text(View::Fold);
        let mut start = None;
        for (i, c) in fold.char_indices().chain(std::iter::once((fold.len(), ' '))) {
            match (start, c.is_alphanumeric()) {
                (None, true) => start = Some(i),
                (Some(s), false) => {
                    let (os, oe) = if offsets {
                        self.views.to_original(View::Fold, s, i)
                    } else {
                        (0, 0)
                    };
                    self.words.push(Word {
                        hash: hash_bytes(&fold.as_bytes()[s..i]),
                        start: os as u32,
                        end: oe as u32,
                    });
                    start = None;
                }
                _ => {}
            }
        }
    }

    /// Appends the word hashes of `text` to `out`, as [`Words::split`] without offsets gives
    /// them, with no copy through [`Word`]s.
    pub fn hashes_into(text: &str, out: &mut Vec<u64>) {
        fastfold::fold_word_hashes(text, out, mix);
    }

    /// The word hashes of the last text.
    pub fn hashes(&self) -> impl Iterator<Item = u64> + '_ {
        self.words.iter().map(|w| w.hash)
    }
}

/// Number of fold-view words in `text`.
pub fn word_count(text: &str) -> usize {
    let mut words = Words::default();
    words.split(text, false);
    words.words.len()
}

fn sorted_pairs(hashes: &[u64]) -> Vec<u64> {
    let mut pairs: Vec<u64> = hashes.windows(2).map(|w| pair(w[0], w[1])).collect();
    pairs.sort_unstable();
    pairs.dedup();
    pairs
}

fn sorted_set(hashes: impl Iterator<Item = u64>) -> Vec<u64> {
    let mut set: Vec<u64> = hashes.collect();
    set.sort_unstable();
    set.dedup();
    set
}

/// How many elements two sorted, de-duplicated slices share.
fn shared(a: &[u64], b: &[u64]) -> usize {
    let (mut i, mut j, mut n) = (0, 0, 0);
    while i < a.len() && j < b.len() {
        match a[i].cmp(&b[j]) {
            std::cmp::Ordering::Less => i += 1,
            std::cmp::Ordering::Greater => j += 1,
            std::cmp::Ordering::Equal => {
                n += 1;
                i += 1;
                j += 1;
            }
        }
    }
    n
}

/// Jaccard index of the word-pair sets of two texts (fold view); 1.0 for two texts without
/// pairs that have the same words, else 0.0 when either has no pair.
pub fn jaccard(a: &str, b: &str) -> f32 {
    let mut words = Words::default();
    words.split(a, false);
    let ha: Vec<u64> = words.hashes().collect();
    words.split(b, false);
    let hb: Vec<u64> = words.hashes().collect();
    let (pa, pb) = (sorted_pairs(&ha), sorted_pairs(&hb));
    if pa.is_empty() || pb.is_empty() {
        return if !ha.is_empty() && sorted_set(ha.into_iter()) == sorted_set(hb.into_iter()) {
            1.0
        } else {
            0.0
        };
    }
    let common = shared(&pa, &pb);
    common as f32 / (pa.len() + pb.len() - common) as f32
}

/// Keys are hashes already: no need to hash them again.
#[derive(Default)]
struct IdentityHasher(u64);

impl Hasher for IdentityHasher {
    fn finish(&self) -> u64 {
        self.0
    }
    fn write(&mut self, bytes: &[u8]) {
        for &b in bytes {
            self.0 = (self.0 << 8) | b as u64;
        }
    }
    fn write_u64(&mut self, n: u64) {
        self.0 = n;
    }
}

fn decode<T: TextSource + ?Sized>(texts: &T, row: usize) -> Option<Cow<'_, str>> {
    // Validated with SIMD first, as the scanner does: the std's lossy decoder was a quarter of
    // the claims step's time (`perf`, 20 MB of real text); invalid text is still replaced.
    let bytes = texts.bytes(row)?;
    Some(match simdutf8::basic::from_utf8(bytes) {
        Ok(text) => Cow::Borrowed(text),
        Err(_) => String::from_utf8_lossy(bytes),
    })
}

/// A rayon pool owned by this process (rebuilt in a forked child, whose parent's threads do
/// not exist); `None` for one thread.
fn pool(slot: &Mutex<Option<(u32, Arc<rayon::ThreadPool>)>>, threads: usize) -> Result<Option<Arc<rayon::ThreadPool>>> {
    if threads <= 1 {
        return Ok(None);
    }
    let pid = std::process::id();
    let mut guard = slot.lock().unwrap_or_else(|e| e.into_inner());
    match guard.take() {
        Some((owner, pool)) if owner == pid => {
            *guard = Some((owner, pool.clone()));
            return Ok(Some(pool));
        }
        Some(stale) => std::mem::forget(stale),
        None => {}
    }
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(threads)
        .thread_name(|i| format!("conduct-scan-sim-{i}"))
        .build()
        .map_err(|e| Error::Scan(format!("cannot start {threads} threads: {e}")))?;
    let pool = Arc::new(pool);
    *guard = Some((pid, pool.clone()));
    Ok(Some(pool))
}

/// How many posts each word pair occurs in, counted in a fixed table of `2^bits` counters
/// (a pair shares its counter with the pairs hashed to the same slot, so counts can only be
/// over-estimated: a rare pair is wrongly cut only if it collides with a frequent one).
pub struct DocFrequency {
    bits: u32,
    counts: Vec<AtomicU32>,
    posts: std::sync::atomic::AtomicU64,
}

impl DocFrequency {
    /// A table of `2^bits` counters (`bits` in 10..=28).
    pub fn new(bits: u32) -> Result<DocFrequency> {
        if !(10..=28).contains(&bits) {
            return Err(Error::Input(format!("bits must be in 10..=28, not {bits}")));
        }
        Ok(DocFrequency {
            bits,
            counts: (0..1usize << bits).map(|_| AtomicU32::new(0)).collect(),
            posts: 0.into(),
        })
    }

    #[inline]
    fn slot(&self, h: u64) -> usize {
        (h >> (64 - self.bits)) as usize
    }

    /// Posts counted so far.
    pub fn posts(&self) -> u64 {
        self.posts.load(Ordering::Relaxed)
    }

    /// Posts counted that contain `pair` (or a pair sharing its slot).
    pub fn frequency(&self, pair: u64) -> u32 {
        self.counts[self.slot(pair)].load(Ordering::Relaxed)
    }

    /// Counts the distinct word pairs of every row of `texts`.
    pub fn add(&self, texts: &(impl TextSource + ?Sized), threads: usize) -> Result<()> {
        let n = texts.len();
        let slot = Mutex::new(None);
        let work = || {
            (0..n).into_par_iter().for_each_init(Words::default, |words, row| {
                let Some(text) = decode(texts, row) else { return };
                words.split(&text, false);
                let hashes: Vec<u64> = words.hashes().collect();
                for p in sorted_pairs(&hashes) {
                    let c = &self.counts[self.slot(p)];
                    if c.load(Ordering::Relaxed) < u32::MAX {
                        c.fetch_add(1, Ordering::Relaxed);
                    }
                }
                self.posts.fetch_add(1, Ordering::Relaxed);
            })
        };
        match pool(&slot, threads)? {
            Some(pool) => pool.install(work),
            None => work(),
        }
        Ok(())
    }
}

/// Options of [`minhash_bands`].
#[derive(Clone, Copy, Debug)]
pub struct MinHashOptions {
    /// Hash functions in a signature.
    pub perms: usize,
    /// Bands the signature is cut into (`perms` must be a multiple).
    pub bands: usize,
    /// Posts with fewer distinctive word pairs than this are not signed (too short to tell a
    /// copy from a coincidence).
    pub min_pairs: usize,
    /// Word pairs in more than this many posts are dropped (0: no cut).
    pub max_df: u32,
}

impl Default for MinHashOptions {
    fn default() -> Self {
        MinHashOptions {
            perms: 64,
            bands: 16,
            min_pairs: 7,
            max_df: 0,
        }
    }
}

/// The band hashes of each signed row: `(rows, hashes)` with `bands` hashes per row in `rows`.
pub fn minhash_bands(
    texts: &(impl TextSource + ?Sized),
    options: MinHashOptions,
    df: Option<&DocFrequency>,
    threads: usize,
) -> Result<(Vec<u32>, Vec<u64>)> {
    let MinHashOptions {
        perms,
        bands,
        min_pairs,
        max_df,
    } = options;
    if perms == 0 || bands == 0 || perms % bands != 0 || perms > 1024 {
        return Err(Error::Input(format!(
            "perms ({perms}) must be a positive multiple of bands ({bands}), at most 1024"
        )));
    }
    let rows_per_band = perms / bands;
    let (mul, add): (Vec<u64>, Vec<u64>) = (0..perms as u64).map(|i| (mix(i * 2 + 1) | 1, mix(i * 2 + 2))).unzip();
    let n = texts.len();
    let slot = Mutex::new(None);
    let work = || {
        let chunks: Vec<(usize, usize)> = (0..n).step_by(512).map(|s| (s, (s + 512).min(n))).collect();
        let parts: Vec<(Vec<u32>, Vec<u64>)> = chunks
            .par_iter()
            .map_init(
                || (Words::default(), vec![0u64; perms]),
                |(words, sig), &(a, b)| {
                    let (mut rows, mut hashes) = (Vec::new(), Vec::new());
                    for row in a..b {
                        let Some(text) = decode(texts, row) else { continue };
                        words.split(&text, false);
                        let ws: Vec<u64> = words.hashes().collect();
                        let mut pairs = sorted_pairs(&ws);
                        if let (Some(df), true) = (df, max_df > 0) {
                            pairs.retain(|&p| df.frequency(p) <= max_df);
                        }
                        if pairs.len() < min_pairs.max(1) {
                            continue;
                        }
                        sig.fill(u64::MAX);
                        for &p in &pairs {
                            for (s, (m, c)) in sig.iter_mut().zip(mul.iter().zip(&add)) {
                                let h = p.wrapping_mul(*m).wrapping_add(*c);
                                if h < *s {
                                    *s = h;
                                }
                            }
                        }
                        rows.push(row as u32);
                        for (band, values) in sig.chunks(rows_per_band).enumerate() {
                            let mut h = mix(band as u64 + 1);
                            for &v in values {
                                h = mix(h ^ v);
                            }
                            hashes.push(h);
                        }
                    }
                    (rows, hashes)
                },
            )
            .collect();
        let mut rows = Vec::new();
        let mut hashes = Vec::new();
        for (r, h) in parts {
            rows.extend(r);
            hashes.extend(h);
        }
        (rows, hashes)
    };
    Ok(match pool(&slot, threads)? {
        Some(pool) => pool.install(work),
        None => work(),
    })
}

/// [`jaccard`] of `a[i]` and `b[i]` for every row (0.0 where either is null), in parallel: the
/// verification of candidate copies against their cluster's representative.
pub fn jaccard_rows(a: &[Option<&[u8]>], b: &[Option<&[u8]>], threads: usize) -> Result<Vec<f32>> {
    if a.len() != b.len() {
        return Err(Error::Input(format!("{} texts against {}", a.len(), b.len())));
    }
    let slot = Mutex::new(None);
    let work = || {
        a.par_iter()
            .zip(b)
            .map(|(x, y)| match (x, y) {
                (Some(x), Some(y)) => jaccard(&String::from_utf8_lossy(x), &String::from_utf8_lossy(y)),
                _ => 0.0,
            })
            .collect()
    };
    Ok(match pool(&slot, threads)? {
        Some(pool) => pool.install(work),
        None => work(),
    })
}

/// Connected components of the graph on `0..n` with edges `a[i]–b[i]`: each node's label is
/// the smallest node of its component (union-find with path halving).
pub fn components(n: usize, a: &[u64], b: &[u64]) -> Result<Vec<u64>> {
    if a.len() != b.len() {
        return Err(Error::Input("edge lists differ in length".into()));
    }
    let mut parent: Vec<u64> = (0..n as u64).collect();
    fn find(parent: &mut [u64], mut x: u64) -> u64 {
        while parent[x as usize] != x {
            let up = parent[parent[x as usize] as usize];
            parent[x as usize] = up;
            x = up;
        }
        x
    }
    for (&x, &y) in a.iter().zip(b) {
        if x as usize >= n || y as usize >= n {
            return Err(Error::Input(format!("edge {x}–{y} outside 0..{n}")));
        }
        let (rx, ry) = (find(&mut parent, x), find(&mut parent, y));
        if rx != ry {
            let (lo, hi) = if rx < ry { (rx, ry) } else { (ry, rx) };
            parent[hi as usize] = lo;
        }
    }
    Ok((0..n as u64).map(|x| find(&mut parent, x)).collect())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ruleset::Claim;

    fn claim(id: &str, texts: &[&str]) -> Claim {
        let toml = format!(
            "id = {id:?}\nphrasings = [{}]\nclause = \"4.6d\"\n",
            texts.iter().map(|t| format!("{t:?}")).collect::<Vec<_>>().join(", ")
        );
        toml::from_str(&toml).unwrap()
    }

    const CLAIM: &str = "Sóng 5G làm lây lan virus corona trong cộng đồng dân cư";

    #[test]
    fn restatements_match_with_span_and_unrelated_text_does_not() {
        let index = ClaimIndex::new(vec![claim("c5g", &[CLAIM])], 0.5, 10, Some(1)).unwrap();
        let post = "Tin nóng 🔥 SONG 5G lam lay lan virus corona trong cong dong dan cu!!! https://x.vn";
        let m = index.match_text(post);
        assert_eq!(m.len(), 1);
        assert!((m[0].similarity - 1.0).abs() < 1e-6, "{}", m[0].similarity);
        assert_eq!(m[0].matched, "SONG 5G lam lay lan virus corona trong cong dong dan cu");
        let chars: Vec<char> = post.chars().collect();
        let span: String = chars[m[0].start as usize..m[0].end as usize].iter().collect();
        assert_eq!(span, m[0].matched);
        // Two of eleven words replaced, one dropped.
        let reworded = "sóng 5G khiến lây lan virus corona ở cộng đồng";
        let m = index.match_text(reworded);
        assert_eq!(m.len(), 1, "{:?}", index.best(reworded));
        assert!(m[0].similarity < 1.0 && m[0].similarity >= 0.5);
        assert!(index
            .match_text("Mạng 5G được triển khai ở Hà Nội trong tháng này")
            .is_empty());
        assert!(index.best("virus corona").is_some_and(|m| m.similarity < 0.5));
        assert!(index.best("hôm nay trời đẹp quá").is_none());
    }

    #[test]
    fn similarity_is_the_weighted_sum_of_word_and_pair_containment() {
        let index = ClaimIndex::new(vec![claim("c", &["a b c d e f"])], 0.01, 0, Some(1)).unwrap();
        // words a b c x e f: 5/6 of the words; pairs ab bc ef: 3/5.
        let m = index.match_text("a b c x e f");
        let expected = WORD_SHARE * 5.0 / 6.0 + (1.0 - WORD_SHARE) * 3.0 / 5.0;
        assert!((m[0].similarity - expected).abs() < 1e-6, "{}", m[0].similarity);
        // The best phrasing of a claim is reported, once.
        let index = ClaimIndex::new(vec![claim("c", &["p q r s t u", "a b c d e f"])], 0.01, 0, Some(1)).unwrap();
        let m = index.match_text("a b c d e f");
        assert_eq!((m.len(), m[0].phrasing), (1, 1));
        // Shared words spread over twice the claim's length: (0.8 × 6/6 + 0.2 × 4/5) × 6/12.
        let index = ClaimIndex::new(vec![claim("c", &["a b c d e f"])], 0.01, 0, Some(1)).unwrap();
        let m = index.match_text("z a b c x x x x x x d e f z");
        let expected = (WORD_SHARE + (1.0 - WORD_SHARE) * 4.0 / 5.0) * 6.0 / 12.0;
        assert!((m[0].similarity - expected).abs() < 1e-6, "{}", m[0].similarity);
        assert_eq!(m[0].matched, "a b c x x x x x x d e f");
    }

    #[test]
    fn minhash_bands_group_near_copies_and_skip_short_or_frequent_text() {
        let texts: Vec<Option<String>> = vec![
            Some("Khẩn cấp: nhà máy nước ở quận 7 bị nhiễm độc, mọi người đừng dùng nước máy hôm nay".into()),
            Some("KHAN CAP: nha may nuoc o quan 7 bi nhiem doc, moi nguoi dung dung nuoc may hom nay nhé".into()),
            Some("Hôm nay trời đẹp, cả nhà đi chơi công viên và ăn kem rất vui vẻ cùng nhau".into()),
            Some("chúc mừng năm mới".into()),
        ];
        let (rows, hashes) = minhash_bands(texts.as_slice(), MinHashOptions::default(), None, 1).unwrap();
        assert_eq!(rows, vec![0, 1, 2]);
        let band = |r: usize| &hashes[r * 16..(r + 1) * 16];
        assert!(band(0).iter().zip(band(1)).any(|(a, b)| a == b));
        assert!(!band(0).iter().zip(band(2)).any(|(a, b)| a == b));
        let df = DocFrequency::new(16).unwrap();
        df.add(texts.as_slice(), 1).unwrap();
        assert_eq!(df.posts(), 4);
        let options = MinHashOptions {
            max_df: 1,
            ..MinHashOptions::default()
        };
        let (rows, _) = minhash_bands(texts.as_slice(), options, Some(&df), 1).unwrap();
        assert_eq!(rows, vec![2], "pairs of the two copies occur in two posts");
    }

    #[test]
    fn components_and_jaccard() {
        assert_eq!(components(5, &[3, 1], &[4, 0]).unwrap(), vec![0, 0, 2, 3, 3]);
        assert!(components(2, &[0], &[2]).is_err());
        assert!((jaccard("a b c", "A B C") - 1.0).abs() < 1e-6);
        assert!((jaccard("a b c d", "a b c e") - 2.0 / 4.0).abs() < 1e-6);
        let a: Vec<Option<&[u8]>> = vec![Some(b"a b c d"), Some(b"x y"), None];
        let b: Vec<Option<&[u8]>> = vec![Some(b"A B C E"), Some(b"x y"), Some(b"x y")];
        assert_eq!(jaccard_rows(&a, &b, 2).unwrap(), vec![0.5, 1.0, 0.0]);
        assert!(jaccard_rows(&a, &b[..1], 1).is_err());
    }
}
