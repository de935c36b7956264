//! `conduct_scan._core`: the Python face of `conduct-scan-core`.
//!
//! Thin by design: convert Python inputs to Rust values, release the GIL for the work, map core
//! errors to the package's exceptions, hand Arrow results back zero-copy. Everything else lives
//! in the core crate (Rust) or in the `conduct_scan` package (Python).

use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use arrow_array::{Array, ArrayRef, RecordBatch};
use conduct_scan_core::arrow::{findings_batch, findings_schema, TextColumn};
use conduct_scan_core::matching::{bare_scan_count, hyperscan_version, HsPattern, HyperscanMatcher};
use conduct_scan_core::ruleset::bundled_ruleset_names;
use conduct_scan_core::{catch_panic, Error, LiteralBackend, Ruleset, ScanOptions, ScanOutput, Scanner};
use pyo3::create_exception;
use pyo3::exceptions::{PyException, PyValueError};
use pyo3::prelude::*;
use pyo3::types::{PyDict, PyList};
use pyo3_arrow::input::AnyArray;
use pyo3_arrow::PyTable;

mod similarity;

create_exception!(
    conduct_scan._core,
    ConductScanError,
    PyException,
    "Base class of every conduct_scan error."
);
create_exception!(
    conduct_scan._core,
    RulesetError,
    ConductScanError,
    "A ruleset is invalid; `.problems` lists (file, item, reason) for each problem."
);
create_exception!(
    conduct_scan._core,
    ScanError,
    ConductScanError,
    "Scanning failed; on an internal error (a panic), `.row` is the row being scanned (or None) and `.reason` the panic message."
);
create_exception!(
    conduct_scan._core,
    InputError,
    ConductScanError,
    "The input cannot be scanned (wrong type or column)."
);

/// The one place core errors become Python exceptions.
fn to_py_err(py: Python<'_>, error: Error) -> PyErr {
    match error {
        Error::Ruleset(problems) => {
            let message = Error::Ruleset(problems.clone()).to_string();
            let err = RulesetError::new_err(message);
            let rows: Vec<(String, Option<String>, String)> =
                problems.into_iter().map(|p| (p.file, p.item, p.reason)).collect();
            if let Ok(list) = PyList::new(py, rows) {
                let _ = err.value(py).setattr("problems", list);
            }
            err
        }
        Error::Scan(message) => ScanError::new_err(message),
        Error::Input(message) => InputError::new_err(message),
        Error::Panic { row, ref message } => {
            let err = ScanError::new_err(error.to_string());
            let _ = err.value(py).setattr("row", row);
            let _ = err.value(py).setattr("reason", message);
            err
        }
    }
}

/// Rows in a panic are counted from the start of the call's piece of the input: make them
/// count from the start of the whole input.
fn offset_row(error: Error, first_row: i64) -> Error {
    match error {
        Error::Panic {
            row: Some(row),
            message,
        } => Error::Panic {
            row: Some(row + first_row as usize),
            message,
        },
        other => other,
    }
}

/// Default of `Scanner(max_compile_seconds=...)` and of the CLI's `--max-compile-seconds`.
const DEFAULT_MAX_COMPILE_SECONDS: f64 = 60.0;
/// Default of `Scanner(max_database_mb=...)`: one view's Hyperscan database.
const DEFAULT_MAX_DATABASE_MB: f64 = 1024.0;

/// Rows scanned per call into the core: between calls the GIL is taken back to notice Ctrl-C.
const ROWS_PER_CALL: usize = 1 << 16;

/// A validated ruleset.
#[pyclass(name = "Ruleset", module = "conduct_scan._core", frozen)]
struct PyRuleset {
    pub(crate) inner: Arc<Ruleset>,
}

#[pymethods]
impl PyRuleset {
    /// Load a ruleset file or directory; `None` loads the bundled ruleset.
    #[staticmethod]
    #[pyo3(signature = (path=None))]
    fn load(py: Python<'_>, path: Option<PathBuf>) -> PyResult<Self> {
        let loaded = py.detach(|| {
            catch_panic(|| match &path {
                Some(path) => Ruleset::load(path),
                None => Ruleset::bundled(),
            })
        });
        Ok(PyRuleset {
            inner: Arc::new(loaded.map_err(|e| to_py_err(py, e))?),
        })
    }

    /// Parse a ruleset from TOML text; `name` is used in error messages.
    #[staticmethod]
    #[pyo3(signature = (text, name="<string>"))]
    fn from_toml(py: Python<'_>, text: &str, name: &str) -> PyResult<Self> {
        let loaded = catch_panic(|| Ruleset::from_toml(text, name)).map_err(|e| to_py_err(py, e))?;
        Ok(PyRuleset {
            inner: Arc::new(loaded),
        })
    }

    /// A bundled ruleset by name.
    #[staticmethod]
    fn bundled(py: Python<'_>, name: &str) -> PyResult<Self> {
        let loaded = catch_panic(|| Ruleset::bundled_named(name)).map_err(|e| to_py_err(py, e))?;
        Ok(PyRuleset {
            inner: Arc::new(loaded),
        })
    }

    /// The same ruleset with only the rules whose ids are in `ids` (and its allow-list).
    fn select(&self, ids: Vec<String>) -> Self {
        let ids: Vec<&str> = ids.iter().map(String::as_str).collect();
        PyRuleset {
            inner: Arc::new(self.inner.select(&ids)),
        }
    }

    /// The account rules' terms and patterns as post rules with the same ids: the ruleset a
    /// `Scanner` scans the accounts' text fields with.
    fn account_text_ruleset(&self) -> Self {
        PyRuleset {
            inner: Arc::new(self.inner.account_text_ruleset()),
        }
    }

    /// Names of the bundled rulesets.
    #[staticmethod]
    fn bundled_names() -> Vec<String> {
        bundled_ruleset_names()
    }

    #[getter]
    fn id(&self) -> &str {
        &self.inner.id
    }

    #[getter]
    fn version(&self) -> &str {
        &self.inner.version
    }

    #[getter]
    fn title(&self) -> &str {
        &self.inner.title
    }

    #[getter]
    fn sha256(&self) -> &str {
        &self.inner.sha256
    }

    #[getter]
    fn files(&self) -> Vec<String> {
        self.inner.files.clone()
    }

    /// The whole ruleset as JSON: id, version, laws, clauses, rules, allow-list.
    fn to_json(&self) -> String {
        self.inner.to_json()
    }

    fn __repr__(&self) -> String {
        format!(
            "<Ruleset {} {}: {} rules, {} clauses>",
            self.inner.id,
            self.inner.version,
            self.inner.rules.len(),
            self.inner.clauses.len()
        )
    }
}

/// A compiled ruleset that scans texts in parallel with the GIL released.
#[pyclass(name = "Scanner", module = "conduct_scan._core", frozen)]
struct PyScanner {
    inner: Arc<Scanner>,
    ruleset: Py<PyRuleset>,
}

#[pymethods]
impl PyScanner {
    #[new]
    #[pyo3(signature = (
        ruleset,
        threads=None,
        literal_backend="hyperscan",
        context=0,
        max_compile_seconds=Some(DEFAULT_MAX_COMPILE_SECONDS),
        max_database_mb=Some(DEFAULT_MAX_DATABASE_MB),
    ))]
    fn new(
        py: Python<'_>,
        ruleset: Py<PyRuleset>,
        threads: Option<usize>,
        literal_backend: &str,
        context: usize,
        max_compile_seconds: Option<f64>,
        max_database_mb: Option<f64>,
    ) -> PyResult<Self> {
        let literal_backend = match literal_backend {
            "aho-corasick" => LiteralBackend::AhoCorasick,
            "hyperscan" => LiteralBackend::Hyperscan,
            other => {
                return Err(PyValueError::new_err(format!(
                    "literal_backend must be 'aho-corasick' or 'hyperscan', not {other:?}"
                )))
            }
        };
        if threads == Some(0) {
            return Err(PyValueError::new_err("threads must be at least 1"));
        }
        let positive = |name: &str, value: Option<f64>| match value {
            Some(v) if !(v.is_finite() && v > 0.0) => Err(PyValueError::new_err(format!(
                "{name} must be a positive number (or None for no limit), not {v}"
            ))),
            _ => Ok(value),
        };
        let max_compile_time = positive("max_compile_seconds", max_compile_seconds)?.map(Duration::from_secs_f64);
        let max_database_bytes =
            positive("max_database_mb", max_database_mb)?.map(|mb| (mb * (1 << 20) as f64) as usize);
        let rules = ruleset.get().inner.clone();
        let options = ScanOptions {
            threads,
            literal_backend,
            context_chars: context,
            cache_dir: cache_dir(),
            max_compile_time,
            max_database_bytes,
        };
        let scanner = py
            .detach(|| catch_panic(|| Scanner::new(rules, options)))
            .map_err(|e| to_py_err(py, e))?;
        Ok(PyScanner {
            inner: Arc::new(scanner),
            ruleset,
        })
    }

    #[getter]
    fn ruleset(&self, py: Python<'_>) -> Py<PyRuleset> {
        self.ruleset.clone_ref(py)
    }

    #[getter]
    fn threads(&self) -> usize {
        self.inner.threads()
    }

    #[getter]
    fn views(&self) -> Vec<&'static str> {
        self.inner.views().iter().map(|v| v.name()).collect()
    }

    /// Scan `texts` (a list of str/None, or an Arrow string array or chunked array) and return
    /// the findings as a `pyarrow.Table`.
    fn scan<'py>(&self, py: Python<'py>, texts: &Bound<'py, PyAny>) -> PyResult<Bound<'py, PyAny>> {
        let is_arrow = texts.hasattr("__arrow_c_array__")? || texts.hasattr("__arrow_c_stream__")?;
        let mut batches = Vec::new();
        let mut totals = ScanOutput::default();
        let mut rows = 0i64;
        if is_arrow {
            let chunks: Vec<ArrayRef> = texts
                .extract::<AnyArray>()?
                .into_chunked_array()
                .map_err(PyErr::from)?
                .chunks()
                .to_vec();
            for chunk in chunks {
                let mut offset = 0;
                while offset < chunk.len() {
                    let len = ROWS_PER_CALL.min(chunk.len() - offset);
                    let piece = chunk.slice(offset, len);
                    let scanned = py.detach(|| {
                        catch_panic(|| {
                            let column = TextColumn::new(piece.as_ref())?;
                            let output = self.inner.scan(&column)?;
                            let batch = findings_batch(&self.inner, &output.findings, rows)?;
                            Ok((output, batch))
                        })
                    });
                    let (output, batch) = scanned.map_err(|e| to_py_err(py, offset_row(e, rows)))?;
                    accumulate(&mut totals, output, &mut batches, batch);
                    rows += len as i64;
                    offset += len;
                    py.check_signals()?;
                }
            }
        } else {
            let values: Vec<Option<String>> = texts
                .extract()
                .map_err(|_| InputError::new_err("texts must be a list of str (or None), or an Arrow string array"))?;
            for piece in values.chunks(ROWS_PER_CALL) {
                let scanned = py.detach(|| {
                    catch_panic(|| {
                        let output = self.inner.scan(piece)?;
                        let batch = findings_batch(&self.inner, &output.findings, rows)?;
                        Ok((output, batch))
                    })
                });
                let (output, batch) = scanned.map_err(|e| to_py_err(py, offset_row(e, rows)))?;
                accumulate(&mut totals, output, &mut batches, batch);
                rows += piece.len() as i64;
                py.check_signals()?;
            }
        }
        let metadata = [
            ("conduct_scan.rows", rows.to_string()),
            ("conduct_scan.null_rows", totals.null_rows.to_string()),
            ("conduct_scan.invalid_utf8_rows", totals.invalid_utf8_rows.to_string()),
            ("conduct_scan.bytes", totals.bytes.to_string()),
        ];
        let schema = Arc::new(
            findings_schema(self.inner.context_chars() > 0)
                .as_ref()
                .clone()
                .with_metadata(metadata.into_iter().map(|(k, v)| (k.to_owned(), v)).collect()),
        );
        let batches: Vec<RecordBatch> = batches
            .into_iter()
            .map(|b: RecordBatch| b.with_schema(schema.clone()))
            .collect::<Result<_, _>>()
            .map_err(|e| ScanError::new_err(e.to_string()))?;
        PyTable::try_new(batches, schema)?.into_pyarrow(py)
    }

    /// Every candidate match in `text` and what verification made of it (kept, vetoed by an
    /// `unless` term, inside an `allow` term, inside an innocent compound of the term, the post
    /// in another language than the rule's, no `near` term, duplicate, below `min_count`).
    fn explain<'py>(&self, py: Python<'py>, text: &str) -> PyResult<Bound<'py, PyList>> {
        let explained = catch_panic(|| self.inner.explain(text)).map_err(|e| to_py_err(py, e))?;
        let rules = &self.inner.ruleset().rules;
        let items = PyList::empty(py);
        for e in explained {
            let rule = &rules[e.rule as usize];
            let d = PyDict::new(py);
            d.set_item("rule_id", &rule.id)?;
            d.set_item("clause_id", &rule.clause)?;
            d.set_item("view", e.view.name())?;
            d.set_item("term", e.term)?;
            d.set_item("start", e.start)?;
            d.set_item("end", e.end)?;
            let outcome = match e.outcome {
                conduct_scan_core::verify::Outcome::Kept => "kept",
                conduct_scan_core::verify::Outcome::Allowed { .. } => "allowed",
                conduct_scan_core::verify::Outcome::Vetoed { .. } => "vetoed",
                conduct_scan_core::verify::Outcome::NotNear => "not_near",
                conduct_scan_core::verify::Outcome::Duplicate => "duplicate",
                conduct_scan_core::verify::Outcome::BelowMinCount => "below_min_count",
                conduct_scan_core::verify::Outcome::InCompound { .. } => "in_compound",
                conduct_scan_core::verify::Outcome::InName => "in_name",
                conduct_scan_core::verify::Outcome::EditedProse => "edited_prose",
                conduct_scan_core::verify::Outcome::OtherLanguage { .. } => "other_language",
            };
            d.set_item("outcome", outcome)?;
            d.set_item("because", e.because)?;
            items.append(d)?;
        }
        Ok(items)
    }

    fn __repr__(&self) -> String {
        let ruleset = self.inner.ruleset();
        format!(
            "<Scanner {} {}: {} threads>",
            ruleset.id,
            ruleset.version,
            self.inner.threads()
        )
    }
}

/// Where compiled Hyperscan databases are cached: `$CONDUCT_SCAN_CACHE_DIR` (empty: no cache),
/// else `$XDG_CACHE_HOME/conduct-scan/hyperscan`, else `~/.cache/conduct-scan/hyperscan`.
fn cache_dir() -> Option<PathBuf> {
    if let Some(dir) = std::env::var_os("CONDUCT_SCAN_CACHE_DIR") {
        return (!dir.is_empty()).then(|| PathBuf::from(dir));
    }
    let base = std::env::var_os("XDG_CACHE_HOME")
        .map(PathBuf::from)
        .or_else(|| std::env::var_os("HOME").map(|home| PathBuf::from(home).join(".cache")))?;
    Some(base.join("conduct-scan").join("hyperscan"))
}

fn accumulate(totals: &mut ScanOutput, output: ScanOutput, batches: &mut Vec<RecordBatch>, batch: RecordBatch) {
    totals.null_rows += output.null_rows;
    totals.invalid_utf8_rows += output.invalid_utf8_rows;
    totals.bytes += output.bytes;
    if batch.num_rows() > 0 || batches.is_empty() {
        batches.push(batch);
    }
}

/// Normalise `text` through one view (`exact`, `casefold`, `fold`, `skeleton`).
#[pyfunction]
fn normalise(view: &str, text: &str) -> PyResult<String> {
    let view = view.parse().map_err(PyValueError::new_err)?;
    Ok(conduct_scan_core::normalise::normalise(view, text))
}

/// The guessed language of `text`: `vi`, `en` or `unknown` (what rules' `lang` is checked against).
#[pyfunction]
fn guess_language(text: &str) -> &'static str {
    conduct_scan_core::lang::guess(text).code()
}

/// Benchmark reference: one Hyperscan database of `terms` (escaped) and `patterns` (UTF-8, UCP,
/// caseless) run over the raw bytes of each row on one thread, with no views and no
/// verification: the physical limit the scanner is measured against.
#[pyclass(name = "BareHyperscan", module = "conduct_scan._core", frozen)]
struct PyBareHyperscan {
    matcher: HyperscanMatcher,
}

#[pymethods]
impl PyBareHyperscan {
    #[new]
    #[pyo3(signature = (terms, patterns, flags=None))]
    fn new(py: Python<'_>, terms: Vec<String>, patterns: Vec<String>, flags: Option<u32>) -> PyResult<Self> {
        let compiled: Vec<HsPattern> = terms
            .iter()
            .map(|t| HsPattern::literal(t))
            .chain(patterns.iter().map(|p| {
                let mut pattern = HsPattern::regex(p, true);
                if let Some(flags) = flags {
                    pattern.flags = flags;
                }
                pattern
            }))
            .collect();
        let matcher = py
            .detach(|| HyperscanMatcher::compile(&compiled))
            .map_err(|e| ScanError::new_err(e.message))?;
        Ok(PyBareHyperscan { matcher })
    }

    /// Number of matches in every row of `texts` (an Arrow string array).
    fn scan(&self, py: Python<'_>, texts: AnyArray) -> PyResult<u64> {
        let chunks: Vec<ArrayRef> = texts.into_chunked_array().map_err(PyErr::from)?.chunks().to_vec();
        py.detach(|| -> Result<u64, Error> {
            let mut matches = 0;
            for chunk in &chunks {
                matches += bare_scan_count(&self.matcher, &TextColumn::new(chunk.as_ref())?)?;
            }
            Ok(matches)
        })
        .map_err(|e| to_py_err(py, e))
    }
}

/// Panics are caught and raised as `ScanError` (see `catch_panic`); the default hook would
/// also print a message and a backtrace note on stderr, so it is kept quiet unless
/// `RUST_BACKTRACE` asks for the details. The hook belongs to this extension's own copy of the
/// Rust runtime: other extensions in the process are not affected.
fn quiet_panics() {
    let default = std::panic::take_hook();
    std::panic::set_hook(Box::new(move |info| {
        if std::env::var_os("RUST_BACKTRACE").is_some_and(|v| v != "0") {
            default(info);
        }
    }));
}

#[pymodule]
fn _core(m: &Bound<'_, PyModule>) -> PyResult<()> {
    let py = m.py();
    quiet_panics();
    m.add("__version__", env!("CARGO_PKG_VERSION"))?;
    m.add("HYPERSCAN_VERSION", hyperscan_version())?;
    m.add("DEFAULT_MAX_COMPILE_SECONDS", DEFAULT_MAX_COMPILE_SECONDS)?;
    m.add("DEFAULT_MAX_DATABASE_MB", DEFAULT_MAX_DATABASE_MB)?;
    m.add_class::<PyRuleset>()?;
    m.add_class::<PyScanner>()?;
    m.add_function(wrap_pyfunction!(normalise, m)?)?;
    m.add_function(wrap_pyfunction!(guess_language, m)?)?;
    m.add_class::<PyBareHyperscan>()?;
    similarity::register(m)?;
    m.add("ConductScanError", py.get_type::<ConductScanError>())?;
    m.add("RulesetError", py.get_type::<RulesetError>())?;
    m.add("ScanError", py.get_type::<ScanError>())?;
    m.add("InputError", py.get_type::<InputError>())?;
    Ok(())
}
