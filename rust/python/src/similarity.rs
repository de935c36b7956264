//! Bindings of `conduct_scan_core::similarity`: known claims and near-duplicate campaigns.
//! Thin: texts in (lists or Arrow), the GIL released for the work, Arrow tables out.

use std::sync::Arc;

use arrow_array::cast::AsArray;
use arrow_array::types::Int64Type;
use arrow_array::{Array, ArrayRef, RecordBatch, StringArray};
use conduct_scan_core::arrow::{bands_batch, claim_findings_batch, labels_batch, TextColumn};
use conduct_scan_core::ruleset::{validate_claims, Claim};
use conduct_scan_core::similarity::{self, ClaimIndex, ClaimMatch, DocFrequency, MinHashOptions};
use conduct_scan_core::{catch_panic, Error, Result, TextSource};
use pyo3::exceptions::PyValueError;
use pyo3::prelude::*;
use pyo3::types::PyDict;
use pyo3_arrow::input::AnyArray;
use pyo3_arrow::PyTable;

use crate::{to_py_err, PyRuleset};

/// Texts as Arrow chunks (zero-copy; a list of str is converted once).
fn texts_of(texts: &Bound<'_, PyAny>) -> PyResult<Vec<ArrayRef>> {
    if texts.hasattr("__arrow_c_array__")? || texts.hasattr("__arrow_c_stream__")? {
        let chunks = texts.extract::<AnyArray>()?.into_chunked_array().map_err(PyErr::from)?;
        return Ok(chunks.chunks().to_vec());
    }
    let values: Vec<Option<String>> = texts
        .extract()
        .map_err(|_| crate::InputError::new_err("texts must be a list of str (or None), or an Arrow string array"))?;
    Ok(vec![Arc::new(StringArray::from(values)) as ArrayRef])
}

/// Runs `work` over each chunk, with the row of the chunk's first text.
fn each_piece(chunks: &[ArrayRef], mut work: impl FnMut(&TextColumn<'_>, usize) -> Result<()>) -> Result<()> {
    let mut first = 0;
    for chunk in chunks {
        let column = TextColumn::new(chunk.as_ref())?;
        work(&column, first)?;
        first += chunk.len();
    }
    Ok(())
}

fn default_threads(threads: Option<usize>) -> usize {
    threads
        .unwrap_or_else(|| std::thread::available_parallelism().map_or(1, |n| n.get()))
        .max(1)
}

fn table(py: Python<'_>, batch: RecordBatch) -> PyResult<Bound<'_, PyAny>> {
    let schema = batch.schema();
    PyTable::try_new(vec![batch], schema)?.into_pyarrow(py)
}

/// Known claims compiled for matching (the ruleset's `[[claim]]`s and a claims file's).
#[pyclass(name = "ClaimIndex", module = "conduct_scan._core", frozen)]
pub struct PyClaimIndex {
    inner: Arc<ClaimIndex>,
}

#[pymethods]
impl PyClaimIndex {
    #[new]
    #[pyo3(signature = (ruleset, extra_claims=None, source="<claims>", threshold=similarity::DEFAULT_CLAIM_THRESHOLD, context=0, threads=None))]
    fn new(
        py: Python<'_>,
        ruleset: &PyRuleset,
        extra_claims: Option<&str>,
        source: &str,
        threshold: f32,
        context: usize,
        threads: Option<usize>,
    ) -> PyResult<Self> {
        let rules = ruleset.inner.clone();
        let mut claims = rules.claims.clone();
        if let Some(json) = extra_claims {
            let extra = similarity::claims_from_json(json, source).map_err(|e| to_py_err(py, e))?;
            let mut problems = Vec::new();
            let rule_ids: Vec<String> = rules.rules.iter().map(|r| r.id.clone()).collect();
            let mut all: Vec<Claim> = claims.iter().cloned().chain(extra).collect();
            validate_claims(&mut all, &rules.clauses, &rule_ids, &mut problems);
            if !problems.is_empty() {
                return Err(to_py_err(py, Error::Ruleset(problems)));
            }
            claims = all;
        }
        let index = py
            .detach(|| catch_panic(|| ClaimIndex::new(claims, threshold, context, threads)))
            .map_err(|e| to_py_err(py, e))?;
        Ok(PyClaimIndex { inner: Arc::new(index) })
    }

    /// Number of claims.
    #[getter]
    fn claims(&self) -> usize {
        self.inner.claims().len()
    }

    #[getter]
    fn phrasings(&self) -> usize {
        self.inner.phrasings()
    }

    #[getter]
    fn threshold(&self) -> f32 {
        self.inner.threshold()
    }

    /// The claims as JSON (what a claims file added, merged with the ruleset's).
    fn claims_json(&self) -> String {
        self.inner.claims_json()
    }

    /// Posts restating a claim, as a findings table (the `Scanner.scan` columns): `rule_id`
    /// `claim:<id>`, `term` the claim id, `confidence` the similarity, `view` `fold`.
    fn scan<'py>(&self, py: Python<'py>, texts: &Bound<'py, PyAny>) -> PyResult<Bound<'py, PyAny>> {
        let texts = texts_of(texts)?;
        let index = self.inner.clone();
        let mut found: Vec<ClaimMatch> = Vec::new();
        py.detach(|| {
            catch_panic(|| {
                each_piece(&texts, |piece, first| {
                    found.extend(index.scan(piece)?.into_iter().map(|mut m| {
                        m.row += first as u32;
                        m
                    }));
                    Ok(())
                })
            })
        })
        .map_err(|e| to_py_err(py, e))?;
        let batch = claim_findings_batch(&self.inner, &found).map_err(|e| to_py_err(py, e))?;
        table(py, batch)
    }

    /// The claim closest to `text` whatever its score, or None when none shares a word pair.
    fn best<'py>(&self, py: Python<'py>, text: &str) -> PyResult<Option<Bound<'py, PyDict>>> {
        let Some(m) = catch_panic(|| Ok(self.inner.best(text))).map_err(|e| to_py_err(py, e))? else {
            return Ok(None);
        };
        let claim = &self.inner.claims()[m.claim as usize];
        let d = PyDict::new(py);
        d.set_item("claim_id", &claim.id)?;
        d.set_item("clause_id", &claim.clause)?;
        d.set_item("verdict", &claim.verdict)?;
        d.set_item("source_url", &claim.source_url)?;
        d.set_item("debunked", &claim.debunked)?;
        d.set_item("phrasing", claim.all_phrasings().nth(m.phrasing as usize))?;
        d.set_item("similarity", m.similarity)?;
        d.set_item("threshold", self.inner.threshold())?;
        d.set_item("matches", m.similarity >= self.inner.threshold())?;
        d.set_item("start", m.start)?;
        d.set_item("end", m.end)?;
        d.set_item("matched", m.matched)?;
        Ok(Some(d))
    }

    fn __repr__(&self) -> String {
        format!(
            "<ClaimIndex {} claims, {} phrasings, threshold {}>",
            self.inner.claims().len(),
            self.inner.phrasings(),
            self.inner.threshold()
        )
    }
}

/// How many posts each word pair occurs in (a fixed table of `2^bits` counters).
#[pyclass(name = "DocFrequency", module = "conduct_scan._core", frozen)]
pub struct PyDocFrequency {
    inner: Arc<DocFrequency>,
}

#[pymethods]
impl PyDocFrequency {
    #[new]
    #[pyo3(signature = (bits=22))]
    fn new(py: Python<'_>, bits: u32) -> PyResult<Self> {
        let inner = DocFrequency::new(bits).map_err(|e| to_py_err(py, e))?;
        Ok(PyDocFrequency { inner: Arc::new(inner) })
    }

    /// Counts the distinct word pairs of each text.
    #[pyo3(signature = (texts, threads=None))]
    fn add(&self, py: Python<'_>, texts: &Bound<'_, PyAny>, threads: Option<usize>) -> PyResult<()> {
        let texts = texts_of(texts)?;
        let threads = default_threads(threads);
        let df = self.inner.clone();
        py.detach(|| catch_panic(|| each_piece(&texts, |piece, _| df.add(piece, threads))))
            .map_err(|e| to_py_err(py, e))
    }

    /// Posts counted.
    #[getter]
    fn posts(&self) -> u64 {
        self.inner.posts()
    }
}

/// MinHash band hashes of the texts long enough to sign: a table (`row` int64, `band` uint8,
/// `hash` uint64), `bands` rows per signed text.
#[pyfunction]
#[pyo3(signature = (texts, df=None, perms=64, bands=16, min_pairs=7, max_df=0, threads=None))]
#[allow(clippy::too_many_arguments)]
pub fn minhash_bands<'py>(
    py: Python<'py>,
    texts: &Bound<'py, PyAny>,
    df: Option<&PyDocFrequency>,
    perms: usize,
    bands: usize,
    min_pairs: usize,
    max_df: u32,
    threads: Option<usize>,
) -> PyResult<Bound<'py, PyAny>> {
    let texts = texts_of(texts)?;
    let options = MinHashOptions {
        perms,
        bands,
        min_pairs,
        max_df,
    };
    let threads = default_threads(threads);
    let df = df.map(|d| d.inner.clone());
    let (mut all_rows, mut all_hashes) = (Vec::new(), Vec::new());
    py.detach(|| {
        catch_panic(|| {
            each_piece(&texts, |piece, first| {
                let (r, h) = similarity::minhash_bands(piece, options, df.as_deref(), threads)?;
                all_rows.extend(r.into_iter().map(|row| row as u64 + first as u64));
                all_hashes.extend(h);
                Ok(())
            })
        })
    })
    .map_err(|e| to_py_err(py, e))?;
    let batch = bands_batch(&all_rows, &all_hashes, bands).map_err(|e| to_py_err(py, e))?;
    table(py, batch)
}

/// The rows of Arrow text chunks, in order.
fn rows_of<'a>(columns: &'a [TextColumn<'a>]) -> Vec<Option<&'a [u8]>> {
    columns
        .iter()
        .flat_map(|c| (0..c.len()).map(move |i| c.bytes(i)))
        .collect()
}

/// Jaccard index of the word-pair sets (fold view) of `a[i]` and `b[i]` (lists of str or Arrow
/// string arrays; 0.0 where either is null).
#[pyfunction]
#[pyo3(signature = (a, b, threads=None))]
pub fn pair_jaccard(
    py: Python<'_>,
    a: &Bound<'_, PyAny>,
    b: &Bound<'_, PyAny>,
    threads: Option<usize>,
) -> PyResult<Vec<f32>> {
    let (a, b) = (texts_of(a)?, texts_of(b)?);
    fn columns(chunks: &[ArrayRef]) -> Result<Vec<TextColumn<'_>>> {
        chunks.iter().map(|c| TextColumn::new(c.as_ref())).collect()
    }
    let (ca, cb) = (
        columns(&a).map_err(|e| to_py_err(py, e))?,
        columns(&b).map_err(|e| to_py_err(py, e))?,
    );
    let (ra, rb) = (rows_of(&ca), rows_of(&cb));
    if ra.len() != rb.len() {
        return Err(PyValueError::new_err("a and b differ in length"));
    }
    let threads = default_threads(threads);
    py.detach(|| catch_panic(|| similarity::jaccard_rows(&ra, &rb, threads)))
        .map_err(|e| to_py_err(py, e))
}

fn int64s(values: &Bound<'_, PyAny>, name: &str) -> PyResult<Vec<u64>> {
    let chunks = values
        .extract::<AnyArray>()?
        .into_chunked_array()
        .map_err(PyErr::from)?;
    let mut out = Vec::new();
    for chunk in chunks.chunks() {
        let Some(ints) = chunk.as_primitive_opt::<Int64Type>() else {
            return Err(PyValueError::new_err(format!("{name} must be an int64 Arrow array")));
        };
        if ints.null_count() > 0 || ints.values().iter().any(|&v| v < 0) {
            return Err(PyValueError::new_err(format!(
                "{name} must hold non-negative integers, no nulls"
            )));
        }
        out.extend(ints.values().iter().map(|&v| v as u64));
    }
    Ok(out)
}

/// Connected components of nodes `0..n` joined by edges `a[i]–b[i]` (int64 Arrow arrays): a
/// table with one `label` column (the smallest node of each node's component).
#[pyfunction]
pub fn components<'py>(
    py: Python<'py>,
    n: usize,
    a: &Bound<'py, PyAny>,
    b: &Bound<'py, PyAny>,
) -> PyResult<Bound<'py, PyAny>> {
    let (a, b) = (int64s(a, "a")?, int64s(b, "b")?);
    let labels = py
        .detach(|| catch_panic(|| similarity::components(n, &a, &b)))
        .map_err(|e| to_py_err(py, e))?;
    let batch = labels_batch(&labels).map_err(|e| to_py_err(py, e))?;
    table(py, batch)
}

/// Registers the classes and functions.
pub fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_class::<PyClaimIndex>()?;
    m.add_class::<PyDocFrequency>()?;
    m.add_function(wrap_pyfunction!(minhash_bands, m)?)?;
    m.add_function(wrap_pyfunction!(pair_jaccard, m)?)?;
    m.add_function(wrap_pyfunction!(components, m)?)?;
    m.add("DEFAULT_CLAIM_THRESHOLD", similarity::DEFAULT_CLAIM_THRESHOLD)?;
    Ok(())
}
