"""Measuring a ruleset against labelled data: post-level precision, recall and F1.

The labelled sets live outside the repository (``../shared/data`` next to the clone, or
``$CONDUCT_SCAN_DATA``); they are read, never copied. Each dataset says which clauses count as a
positive prediction, because a ruleset flags many things and a dataset labels one of them:

=================  ==========================================  ===================================
dataset            label that counts as positive               clauses whose findings count
=================  ==========================================  ===================================
ViHOS train, dev   any span marked hateful or offensive        3.2, 4.5a, 4.5b, 4.6b, 4.6c
Davidson           class 0 (hate speech) or 1 (offensive)      3.2, 4.5a, 4.5b, 4.6b, 4.6c
SMS spam           ``spam``                                    4.6e
viwiki (clean)     none: every sentence is clean               3.2, 4.4, 4.5b, 4.6b, 4.6c, 4.6e
=================  ==========================================  ===================================

Davidson and the SMS collection have no published split, so each is cut once, by a SHA-256 of
the seed and the text, into a *tune* part (70%) for writing rules and a *holdout* part (30%)
that rule writers do not look at; identical texts always fall in the same part. Both are
reported, the holdout being the honest figure.

The clean-text sets are sentences of edited Vietnamese (Wikipedia articles), which should never
be flagged under the clauses everyday writing cannot break (disrespect, unsourced sharing,
discrimination, insults, vulgarity, advertising). Their figure is the false-flag budget: the
share of sentences flagged. They are cut in two halves by a SHA-256 of the seed and the
sentence: ``viwiki-tune`` to look at, ``viwiki-holdout`` to report.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import polars as pl

from conduct_scan._core import Ruleset, Scanner

#: Clauses whose findings count as "hateful or offensive".
OFFENSIVE_CLAUSES: frozenset[str] = frozenset({"3.2", "4.5a", "4.5b", "4.6b", "4.6c"})
#: Clauses whose findings count as "unsolicited advertising".
ADVERTISING_CLAUSES: frozenset[str] = frozenset({"4.6e"})

#: Clauses clean edited text should never trigger (the false-flag budget of the clean sets).
CLEAN_TEXT_CLAUSES: frozenset[str] = frozenset({"3.2", "4.4", "4.5b", "4.6b", "4.6c", "4.6e"})

#: Share of clean sentences flagged that ``make test`` tolerates: issue 11's target, reached on
#: the holdout (0.097%, README "Quality").
CLEAN_TEXT_GATE = 0.001

#: Seed of the tune/holdout cut of the datasets that have no published split.
SPLIT_SEED = "conduct-scan-874"
#: Share of those datasets kept out of tuning.
HOLDOUT_SHARE = 0.30

#: Environment variable naming the data directory.
DATA_ENV = "CONDUCT_SCAN_DATA"


@dataclass(frozen=True)
class Target:
    """A quality target on one dataset.

    Minimums on precision, recall and F1, and a maximum on the share of negative posts flagged.
    """

    precision: float = 0.0
    recall: float = 0.0
    f1: float = 0.0
    negative_flag_rate: float = 1.0

    def misses(self, score: Score) -> list[str]:
        """List the figures of ``score`` that miss this target, as ``name value < target``."""
        out = []
        for name in ("precision", "recall", "f1"):
            want, got = getattr(self, name), getattr(score, name)
            if got < want:
                out.append(f"{name} {got:.3f} < {want:.2f}")
        if score.negative_flag_rate > self.negative_flag_rate:
            out.append(
                f"negatives flagged {score.negative_flag_rate:.4f} > {self.negative_flag_rate:.4f}"
            )
        return out


#: The project's quality targets for the bundled ruleset (issue 3), on the splits not tuned on.
TARGETS: dict[str, Target] = {
    # Issue 11: ViHOS dev F1 stays at 0.82 or more, and Davidson and SMS within 0.01 of the
    # figures before it (F1 0.969 and 0.926).
    "vihos-dev": Target(precision=0.85, f1=0.82),
    "davidson-holdout": Target(f1=0.959, negative_flag_rate=0.08),
    "sms-holdout": Target(precision=0.95, recall=0.70, f1=0.916),
    # The false-flag budget on clean text. Issue 11 asks for 0.1% of sentences under the
    # clean-text clauses; this gate holds what has been reached (README, "Quality") so that it
    # can only go down.
    "viwiki-holdout": Target(negative_flag_rate=CLEAN_TEXT_GATE),
}


@dataclass(frozen=True)
class Score:
    """A confusion matrix at post level and the figures derived from it."""

    tp: int
    fp: int
    fn: int
    tn: int

    @property
    def precision(self) -> float:
        """Share of flagged posts that are positive (1.0 when nothing is flagged)."""
        flagged = self.tp + self.fp
        return self.tp / flagged if flagged else 1.0

    @property
    def recall(self) -> float:
        """Share of positive posts that are flagged."""
        positives = self.tp + self.fn
        return self.tp / positives if positives else 0.0

    @property
    def f1(self) -> float:
        """Harmonic mean of precision and recall."""
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r else 0.0

    @property
    def negative_flag_rate(self) -> float:
        """Share of negative posts that are flagged (the innocent accused)."""
        negatives = self.fp + self.tn
        return self.fp / negatives if negatives else 0.0

    def as_dict(self) -> dict[str, float | int]:
        """Return the counts and figures, for JSON."""
        return {
            "tp": self.tp,
            "fp": self.fp,
            "fn": self.fn,
            "tn": self.tn,
            "precision": round(self.precision, 4),
            "recall": round(self.recall, 4),
            "f1": round(self.f1, 4),
            "negative_flag_rate": round(self.negative_flag_rate, 4),
        }


@dataclass(frozen=True)
class Example:
    """One misclassified post, with what the ruleset matched or what annotators marked."""

    text: str
    #: For a false positive: ``rule_id: matched`` of each counted finding.
    matched: tuple[str, ...] = ()
    #: For a false negative: the spans annotators marked, when the dataset has spans.
    marked: tuple[str, ...] = ()


@dataclass
class DatasetResult:
    """The score of a ruleset on one dataset split, and a summary of its errors."""

    name: str
    description: str
    clauses: frozenset[str]
    score: Score
    #: ``(rule_id, term) -> count`` over false positives: what accuses the innocent most.
    false_positive_terms: Counter[tuple[str, str]] = field(default_factory=Counter)
    #: Marked span text -> count over false negatives (datasets with spans only).
    missed_spans: Counter[str] = field(default_factory=Counter)
    false_positives: list[Example] = field(default_factory=list)
    false_negatives: list[Example] = field(default_factory=list)
    #: Clause -> negative posts with a finding of it (every clause, counted or not).
    negatives_by_clause: Counter[str] = field(default_factory=Counter)

    def as_dict(self, worst: int = 10) -> dict[str, object]:
        """Return the result as plain data, with at most ``worst`` items in each error list."""
        return {
            "dataset": self.name,
            "description": self.description,
            "clauses": sorted(self.clauses),
            **self.score.as_dict(),
            "negatives_flagged_by_clause": {
                clause: {"posts": n, "share": round(n / negatives, 6) if negatives else 0.0}
                for clause, n in sorted(self.negatives_by_clause.items())
                for negatives in [self.score.fp + self.score.tn]
            },
            "false_positive_terms": [
                {"rule_id": rule, "term": term, "posts": n}
                for (rule, term), n in self.false_positive_terms.most_common(worst)
            ],
            "missed_spans": [
                {"span": span, "posts": n} for span, n in self.missed_spans.most_common(worst)
            ],
            "false_positives": [
                {"text": e.text, "matched": list(e.matched)} for e in self.false_positives[:worst]
            ],
            "false_negatives": [
                {"text": e.text, "marked": list(e.marked)} for e in self.false_negatives[:worst]
            ],
        }


@dataclass(frozen=True)
class Labelled:
    """Texts with a boolean label, and optional marked spans for each."""

    name: str
    description: str
    clauses: frozenset[str]
    texts: list[str]
    labels: list[bool]
    spans: list[tuple[str, ...]] | None = None
    #: Order in which misses are listed (higher first); e.g. annotator agreement.
    weight: list[float] | None = None


def default_data_dir() -> Path:
    """Where the labelled data is: ``$CONDUCT_SCAN_DATA``, else ``../shared/data`` of the repo."""
    env = os.environ.get(DATA_ENV)
    if env:
        return Path(env)
    repo = Path(__file__).resolve().parents[3]
    return repo.parent / "shared" / "data"


def in_holdout(text: str) -> bool:
    """Whether ``text`` falls in the held-out part of a dataset without a published split."""
    digest = hashlib.sha256(f"{SPLIT_SEED}\0{text}".encode()).digest()
    return int.from_bytes(digest[:8], "big") / 2**64 < HOLDOUT_SHARE


def _marked_spans(text: str, indices: Sequence[int]) -> tuple[str, ...]:
    """Group consecutive character indices into runs and return the text each covers."""
    spans: list[str] = []
    start = prev = None
    for i in [*sorted(indices), None]:
        if i is not None and prev is not None and i == prev + 1:
            prev = i
            continue
        if start is not None and prev is not None:
            spans.append(text[start : prev + 1].strip())
        start = prev = i
    return tuple(s for s in spans if s)


def _vihos(data: Path, split: str) -> Labelled | None:
    path = data / "vi" / "vihos" / f"{split}.csv"
    if not path.is_file():
        return None
    frame = pl.read_csv(path, columns=["content", "index_spans"], infer_schema_length=0)
    texts = [t or "" for t in frame["content"].to_list()]
    indices = [json.loads(s or "[]") for s in frame["index_spans"].to_list()]
    return Labelled(
        name=f"vihos-{split}",
        description=f"ViHOS {split} (vi): a post with any marked span is positive",
        clauses=OFFENSIVE_CLAUSES,
        texts=texts,
        labels=[bool(i) for i in indices],
        spans=[_marked_spans(t, i) for t, i in zip(texts, indices, strict=True)],
    )


def _davidson(data: Path, part: str) -> Labelled | None:
    path = data / "en" / "davidson" / "labeled_data.csv"
    if not path.is_file():
        return None
    frame = pl.read_csv(path, columns=["class", "tweet", "count", "neither"])
    keep = [in_holdout(t) == (part == "holdout") for t in frame["tweet"].to_list()]
    frame = frame.filter(pl.Series(keep))
    counts = frame["count"].to_list()
    neither = frame["neither"].to_list()
    return Labelled(
        name=f"davidson-{part}",
        description=f"Davidson {part} {_share(part)} (en): hate speech or offensive vs neither",
        clauses=OFFENSIVE_CLAUSES,
        texts=frame["tweet"].to_list(),
        labels=[c in (0, 1) for c in frame["class"].to_list()],
        # Misses and false alarms the annotators agreed on most come first.
        weight=[1 - n / c if c else 0.0 for n, c in zip(neither, counts, strict=True)],
    )


def _sms(data: Path, part: str) -> Labelled | None:
    path = data / "en" / "sms_spam" / "SMSSpamCollection.tsv"
    if not path.is_file():
        return None
    frame = pl.read_csv(path, separator="\t", quote_char=None, infer_schema_length=0)
    frame = frame.filter(pl.col("SMS").is_not_null())
    keep = [in_holdout(t) == (part == "holdout") for t in frame["SMS"].to_list()]
    frame = frame.filter(pl.Series(keep))
    return Labelled(
        name=f"sms-{part}",
        description=f"SMS spam {part} {_share(part)} (en): spam vs ham, advertising clause only",
        clauses=ADVERTISING_CLAUSES,
        texts=frame["SMS"].to_list(),
        labels=[label == "spam" for label in frame["Label"].to_list()],
    )


#: Sentence ends: ., ! or ? (and an ellipsis) followed by space. Abbreviations and initials
#: ("H. McNaught") are cut too; the pieces are still clean text.
_SENTENCE_END = re.compile(r"(?<=[.!?…])\s+")
#: Fewer words than this is a heading, a list item or a caption, not a sentence.
MIN_SENTENCE_WORDS = 4


def wiki_sentences(article: str) -> list[str]:
    """Split a Wikipedia article's plain text into sentences.

    Section headings (``== Xem thêm ==``) and fragments under :data:`MIN_SENTENCE_WORDS` words
    are left out.
    """
    out = []
    for line in article.splitlines():
        line = line.strip()
        if not line or line.startswith("="):
            continue
        for sentence in _SENTENCE_END.split(line):
            if len(sentence.split()) >= MIN_SENTENCE_WORDS:
                out.append(sentence)
    return out


def in_second_half(text: str) -> bool:
    """Whether ``text`` falls in the held-out half of a clean-text set."""
    digest = hashlib.sha256(f"{SPLIT_SEED}\0clean\0{text}".encode()).digest()
    return digest[0] >= 128


def _viwiki(data: Path, part: str) -> Labelled | None:
    path = data / "corpora" / "viwiki_7.9k.parquet"
    if not path.is_file():
        return None
    articles = pl.read_parquet(path, columns=["text"])["text"].drop_nulls().to_list()
    holdout = part == "holdout"
    sentences = [s for a in articles for s in wiki_sentences(a) if in_second_half(s) == holdout]
    return Labelled(
        name=f"viwiki-{part}",
        description=f"Vietnamese Wikipedia sentences, {part} half (vi; clean: every flag is false)",
        clauses=CLEAN_TEXT_CLAUSES,
        texts=sentences,
        labels=[False] * len(sentences),
    )


def _share(part: str) -> str:
    share = HOLDOUT_SHARE if part == "holdout" else 1 - HOLDOUT_SHARE
    return f"{share:.0%}"


#: Every dataset split the evaluation knows, by name, in report order.
DATASETS: dict[str, Callable[[Path], Labelled | None]] = {
    "vihos-train": lambda d: _vihos(d, "train"),
    "vihos-dev": lambda d: _vihos(d, "dev"),
    "davidson-tune": lambda d: _davidson(d, "tune"),
    "davidson-holdout": lambda d: _davidson(d, "holdout"),
    "sms-tune": lambda d: _sms(d, "tune"),
    "sms-holdout": lambda d: _sms(d, "holdout"),
    "viwiki-tune": lambda d: _viwiki(d, "tune"),
    "viwiki-holdout": lambda d: _viwiki(d, "holdout"),
}


def load_datasets(data_dir: Path, names: Iterable[str] | None = None) -> list[Labelled]:
    """Load the datasets found under ``data_dir`` (those absent are left out).

    Parameters
    ----------
    data_dir
        The shared data directory (with ``vi/`` and ``en/``).
    names
        Dataset names from :data:`DATASETS`; all by default.

    Raises
    ------
    KeyError
        A name is not in :data:`DATASETS`.
    """
    wanted = list(DATASETS) if names is None else list(names)
    for name in wanted:
        if name not in DATASETS:
            raise KeyError(name)
    found = (DATASETS[name](data_dir) for name in wanted)
    return [d for d in found if d is not None]


def score_dataset(scanner: Scanner, data: Labelled) -> DatasetResult:
    """Scan every text of ``data`` and compare the posts flagged with the labels.

    A post counts as flagged when it has at least one finding of a clause in ``data.clauses``.
    """
    table = scanner.scan(data.texts)
    findings = table.select(["row", "rule_id", "clause_id", "term", "matched"]).to_pylist()
    hits: dict[int, list[tuple[str, str, str]]] = {}
    clauses_of: dict[int, set[str]] = {}
    for f in findings:
        clauses_of.setdefault(f["row"], set()).add(f["clause_id"])
        if f["clause_id"] in data.clauses:
            hits.setdefault(f["row"], []).append((f["rule_id"], f["term"], f["matched"]))
    by_clause: Counter[str] = Counter()
    for row, clauses in clauses_of.items():
        if not data.labels[row]:
            by_clause.update(clauses)
    tp = fp = fn = tn = 0
    fp_terms: Counter[tuple[str, str]] = Counter()
    missed: Counter[str] = Counter()
    false_pos: list[tuple[float, Example]] = []
    false_neg: list[tuple[float, Example]] = []
    for row, (text, label) in enumerate(zip(data.texts, data.labels, strict=True)):
        found = hits.get(row)
        weight = data.weight[row] if data.weight else 0.0
        if found and label:
            tp += 1
        elif found:
            fp += 1
            fp_terms.update({(rule, term) for rule, term, _ in found})
            matched = tuple(dict.fromkeys(f"{rule}: {m}" for rule, _, m in found))
            false_pos.append((1 - weight, Example(text, matched=matched)))
        elif label:
            fn += 1
            marked = data.spans[row] if data.spans else ()
            missed.update({s.lower() for s in marked})
            false_neg.append((weight, Example(text, marked=marked)))
        else:
            tn += 1
    # Most certain errors first (by annotator agreement where known), then shortest texts.
    false_pos.sort(key=lambda x: (-x[0], len(x[1].text)))
    false_neg.sort(key=lambda x: (-x[0], len(x[1].text)))
    return DatasetResult(
        name=data.name,
        description=data.description,
        clauses=data.clauses,
        score=Score(tp, fp, fn, tn),
        false_positive_terms=fp_terms,
        missed_spans=missed,
        false_positives=[e for _, e in false_pos],
        false_negatives=[e for _, e in false_neg],
        negatives_by_clause=by_clause,
    )


def evaluate(
    ruleset: Ruleset,
    data_dir: Path | None = None,
    names: Iterable[str] | None = None,
    threads: int | None = None,
) -> list[DatasetResult]:
    """Score ``ruleset`` on every labelled dataset found.

    Parameters
    ----------
    ruleset
        The ruleset to measure.
    data_dir
        The shared data directory; :func:`default_data_dir` by default.
    names
        Dataset names from :data:`DATASETS`; all by default.
    threads
        Scanner threads; all cores by default.

    Returns
    -------
    list of DatasetResult
        One per dataset found, in :data:`DATASETS` order; empty when no data is present.
    """
    directory = default_data_dir() if data_dir is None else data_dir
    scanner = Scanner(ruleset, threads=threads)
    return [score_dataset(scanner, d) for d in load_datasets(directory, names)]


def render_results(results: Sequence[DatasetResult], worst: int = 5) -> str:
    """Format results as plain text: a table of figures, then each dataset's worst errors."""
    lines = [
        f"{'dataset':<18} {'posts':>6} {'pos':>6} {'P':>6} {'R':>6} {'F1':>6} "
        f"{'neg.flag':>9}  target"
    ]
    for r in results:
        s = r.score
        target = TARGETS.get(r.name)
        verdict = "-" if target is None else ("met" if not target.misses(s) else "MISSED")
        lines.append(
            f"{r.name:<18} {s.tp + s.fp + s.fn + s.tn:>6} {s.tp + s.fn:>6} {s.precision:>6.3f} "
            f"{s.recall:>6.3f} {s.f1:>6.3f} {s.negative_flag_rate:>9.4f}  {verdict}"
        )
    for r in results:
        target = TARGETS.get(r.name)
        missed = target.misses(r.score) if target is not None else []
        if worst <= 0 and not missed:
            continue
        lines += ["", f"== {r.name}: {r.description}; clauses {', '.join(sorted(r.clauses))}"]
        if missed:
            lines.append(f"target missed: {'; '.join(missed)}")
        if worst <= 0:
            continue
        if r.negatives_by_clause and r.score.tp + r.score.fn == 0:
            negatives = r.score.fp + r.score.tn
            shares = ", ".join(
                f"{clause} {n / negatives:.3%} ({n})"
                for clause, n in sorted(r.negatives_by_clause.items())
            )
            lines.append(f"clean posts flagged by clause: {shares}")
        if r.false_positive_terms:
            terms = ", ".join(
                f"{term!r} ({rule}) {n}"
                for (rule, term), n in r.false_positive_terms.most_common(worst)
            )
            lines.append(f"false positives by term: {terms}")
        if r.missed_spans:
            spans = ", ".join(f"{s!r} {n}" for s, n in r.missed_spans.most_common(worst * 2))
            lines.append(f"missed marked spans: {spans}")
        for e in r.false_positives[:worst]:
            lines.append(f"  FP {_short(e.text)}  <- {'; '.join(e.matched[:3])}")
        for e in r.false_negatives[:worst]:
            marked = f"  (marked: {', '.join(e.marked[:4])})" if e.marked else ""
            lines.append(f"  FN {_short(e.text)}{marked}")
    return "\n".join(lines)


def _short(text: str, width: int = 110) -> str:
    flat = " ".join(text.split())
    return repr(flat if len(flat) <= width else flat[: width - 1] + "…")
