//! Arrow in and out: string columns are read in place (no copy), findings come back as a
//! record batch.

use std::sync::Arc;

use arrow_array::builder::{Float32Builder, Int32Builder, Int64Builder, StringBuilder, UInt64Builder, UInt8Builder};
use arrow_array::cast::AsArray;
use arrow_array::{Array, ArrayRef, RecordBatch};
use arrow_schema::{DataType, Field, Schema, SchemaRef};

use crate::error::{Error, Result};
use crate::scanner::{Finding, Scanner, TextSource};
use crate::similarity::{ClaimIndex, ClaimMatch};

/// A string (or binary) Arrow array, read in place.
pub struct TextColumn<'a> {
    array: &'a dyn Array,
}

impl<'a> TextColumn<'a> {
    /// Wraps an Utf8, LargeUtf8, Utf8View, Binary, LargeBinary or BinaryView array. Binary
    /// values are decoded as UTF-8 with invalid bytes replaced (and counted).
    pub fn new(array: &'a dyn Array) -> Result<Self> {
        match array.data_type() {
            DataType::Utf8
            | DataType::LargeUtf8
            | DataType::Utf8View
            | DataType::Binary
            | DataType::LargeBinary
            | DataType::BinaryView
            | DataType::Null => Ok(TextColumn { array }),
            other => Err(Error::Input(format!(
                "texts must be an Arrow string column (Utf8, LargeUtf8 or Utf8View), not {other}"
            ))),
        }
    }
}

impl TextSource for TextColumn<'_> {
    fn len(&self) -> usize {
        self.array.len()
    }

    fn bytes(&self, i: usize) -> Option<&[u8]> {
        if self.array.is_null(i) {
            return None;
        }
        let a = self.array;
        Some(match a.data_type() {
            DataType::Utf8 => a.as_string::<i32>().value(i).as_bytes(),
            DataType::LargeUtf8 => a.as_string::<i64>().value(i).as_bytes(),
            DataType::Utf8View => a.as_string_view().value(i).as_bytes(),
            DataType::Binary => a.as_binary::<i32>().value(i),
            DataType::LargeBinary => a.as_binary::<i64>().value(i),
            DataType::BinaryView => a.as_binary_view().value(i),
            _ => return None,
        })
    }
}

/// Schema of the findings table (with `context` and `context_start` when asked).
pub fn findings_schema(with_context: bool) -> SchemaRef {
    let mut fields = vec![
        Field::new("row", DataType::Int64, false),
        Field::new("rule_id", DataType::Utf8, false),
        Field::new("clause_id", DataType::Utf8, false),
        Field::new("severity", DataType::Utf8, false),
        Field::new("confidence", DataType::Float32, false),
        Field::new("view", DataType::Utf8, false),
        Field::new("start", DataType::Int64, false),
        Field::new("end", DataType::Int64, false),
        Field::new("matched", DataType::Utf8, false),
        Field::new("term", DataType::Utf8, false),
    ];
    if with_context {
        fields.push(Field::new("context", DataType::Utf8, false));
        fields.push(Field::new("context_start", DataType::Int32, false));
    }
    Arc::new(Schema::new(fields))
}

/// Findings as a record batch with [`findings_schema`]; `row_offset` is added to every row.
pub fn findings_batch(scanner: &Scanner, findings: &[Finding], row_offset: i64) -> Result<RecordBatch> {
    let n = findings.len();
    let rules = &scanner.ruleset().rules;
    let mut row = Int64Builder::with_capacity(n);
    let mut rule_id = StringBuilder::with_capacity(n, n * 16);
    let mut clause_id = StringBuilder::with_capacity(n, n * 4);
    let mut severity = StringBuilder::with_capacity(n, n * 6);
    let mut confidence = Float32Builder::with_capacity(n);
    let mut view = StringBuilder::with_capacity(n, n * 8);
    let mut start = Int64Builder::with_capacity(n);
    let mut end = Int64Builder::with_capacity(n);
    let mut matched = StringBuilder::with_capacity(n, n * 8);
    let mut term = StringBuilder::with_capacity(n, n * 8);
    let with_context = scanner.context_chars() > 0;
    let mut context = StringBuilder::with_capacity(if with_context { n } else { 0 }, 0);
    let mut context_start = Int32Builder::with_capacity(if with_context { n } else { 0 });
    for f in findings {
        let rule = &rules[f.rule as usize];
        row.append_value(f.row as i64 + row_offset);
        rule_id.append_value(&rule.id);
        clause_id.append_value(&rule.clause);
        severity.append_value(rule.severity().name());
        confidence.append_value(rule.confidence_in(f.view));
        view.append_value(f.view.name());
        start.append_value(f.start as i64);
        end.append_value(f.end as i64);
        matched.append_value(&f.matched);
        term.append_value(scanner.source_text(f.rule, crate::verify::Role::Hit, f.source));
        if with_context {
            context.append_value(&f.context);
            context_start.append_value(f.context_start as i32);
        }
    }
    let columns: Vec<ArrayRef> = vec![
        Arc::new(row.finish()),
        Arc::new(rule_id.finish()),
        Arc::new(clause_id.finish()),
        Arc::new(severity.finish()),
        Arc::new(confidence.finish()),
        Arc::new(view.finish()),
        Arc::new(start.finish()),
        Arc::new(end.finish()),
        Arc::new(matched.finish()),
        Arc::new(term.finish()),
    ];
    let mut columns = columns;
    if with_context {
        columns.push(Arc::new(context.finish()));
        columns.push(Arc::new(context_start.finish()));
    }
    RecordBatch::try_new(findings_schema(with_context), columns)
        .map_err(|e| Error::Scan(format!("cannot build findings table: {e}")))
}

/// Claim matches as a findings table ([`findings_schema`]): `rule_id` `claim:<id>`, `term` the
/// claim id, `confidence` the similarity (to 3 decimals), `view` `fold`.
pub fn claim_findings_batch(index: &ClaimIndex, found: &[ClaimMatch]) -> Result<RecordBatch> {
    let n = found.len();
    let with_context = index.context_chars() > 0;
    let mut row = Int64Builder::with_capacity(n);
    let mut rule_id = StringBuilder::new();
    let mut clause_id = StringBuilder::new();
    let mut severity = StringBuilder::new();
    let mut confidence = Float32Builder::with_capacity(n);
    let mut view = StringBuilder::new();
    let mut start = Int64Builder::with_capacity(n);
    let mut end = Int64Builder::with_capacity(n);
    let mut matched = StringBuilder::new();
    let mut term = StringBuilder::new();
    let mut context = StringBuilder::new();
    let mut context_start = Int32Builder::with_capacity(n);
    for m in found {
        let claim = &index.claims()[m.claim as usize];
        row.append_value(m.row as i64);
        rule_id.append_value(format!("claim:{}", claim.id));
        clause_id.append_value(&claim.clause);
        severity.append_value(claim.severity().name());
        confidence.append_value((m.similarity * 1000.0).round() / 1000.0);
        view.append_value("fold");
        start.append_value(m.start as i64);
        end.append_value(m.end as i64);
        matched.append_value(&m.matched);
        term.append_value(&claim.id);
        context.append_value(&m.context);
        context_start.append_value(m.context_start as i32);
    }
    let mut columns: Vec<ArrayRef> = vec![
        Arc::new(row.finish()),
        Arc::new(rule_id.finish()),
        Arc::new(clause_id.finish()),
        Arc::new(severity.finish()),
        Arc::new(confidence.finish()),
        Arc::new(view.finish()),
        Arc::new(start.finish()),
        Arc::new(end.finish()),
        Arc::new(matched.finish()),
        Arc::new(term.finish()),
    ];
    if with_context {
        columns.push(Arc::new(context.finish()));
        columns.push(Arc::new(context_start.finish()));
    }
    RecordBatch::try_new(findings_schema(with_context), columns)
        .map_err(|e| Error::Scan(format!("cannot build claim findings: {e}")))
}

/// MinHash bands as a long table: `row` (int64), `band` (uint8), `hash` (uint64), `bands`
/// rows per signed text (`hashes` holds `bands` per entry of `rows`).
pub fn bands_batch(rows: &[u64], hashes: &[u64], bands: usize) -> Result<RecordBatch> {
    let mut row = Int64Builder::with_capacity(hashes.len());
    let mut band = UInt8Builder::with_capacity(hashes.len());
    let mut hash = UInt64Builder::with_capacity(hashes.len());
    for (i, &r) in rows.iter().enumerate() {
        for b in 0..bands {
            row.append_value(r as i64);
            band.append_value(b as u8);
            hash.append_value(hashes[i * bands + b]);
        }
    }
    let schema = Arc::new(Schema::new(vec![
        Field::new("row", DataType::Int64, false),
        Field::new("band", DataType::UInt8, false),
        Field::new("hash", DataType::UInt64, false),
    ]));
    let columns: Vec<ArrayRef> = vec![Arc::new(row.finish()), Arc::new(band.finish()), Arc::new(hash.finish())];
    RecordBatch::try_new(schema, columns).map_err(|e| Error::Scan(format!("cannot build bands: {e}")))
}

/// Component labels as a one-column table (`label`, int64).
pub fn labels_batch(labels: &[u64]) -> Result<RecordBatch> {
    let schema = Arc::new(Schema::new(vec![Field::new("label", DataType::Int64, false)]));
    let column: ArrayRef = Arc::new(arrow_array::Int64Array::from_iter_values(
        labels.iter().map(|&v| v as i64),
    ));
    RecordBatch::try_new(schema, vec![column]).map_err(|e| Error::Scan(format!("cannot build labels: {e}")))
}
