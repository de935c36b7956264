"""pytest-benchmark JSON → ``benchmarks/RESULTS.md`` and the plots in ``benchmarks/plots/``.

Every figure is computed from the JSON of one run (``python -m benchmarks run`` writes
``benchmarks/results.json``), so the ratios compare systems measured side by side on the same
machine at the same time. Throughput is text bytes over the *median* time (in memory: of the
timed rounds; end to end: of the ``work_seconds`` each child reported). ``render`` only reads the
JSON: ``python -m benchmarks render`` re-renders without measuring.
"""

from __future__ import annotations

import json
import statistics
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
REFERENCE_PEER = "polars contains_any + contains"
HYPERSCAN_PEER = "python-hyperscan per row"
VIEW_ORDER = ["exact", "casefold", "fold", "skeleton", "all"]

# The targets (benchmarks/README.md): ratios and shares a run is judged against.
TARGET_VS_POLARS = 5.0
TARGET_VS_HYPERSCAN = 5.0
TARGET_SHARE_OF_LIMIT = 0.60
TARGET_FLAT_MEMORY = 1.25
"""Peak RSS of the largest archive over that of the next size down (10x smaller), at most: the
smallest archive (10 MB, about one batch) never fills the pipeline's working set of batches in
flight, so flatness is judged where the archive grows and the working set does not."""
GATE_MINIMUM = 2.0
BUNDLED_GATE_MINIMUM = 0.6
"""``make bench-ci``'s ratio for the bundled ruleset over python-hyperscan per row in memory.
Issue 10 asks for 3x end to end; this engine does about 40 MB per CPU second against the
peer's 81 (RESULTS.md), so with its 2 threads against the peer's one it is near 1x on an idle
machine: the gate keeps a margin below that, and catches a regression, not the issue's target."""
BUNDLED_E2E_GATE_MINIMUM = 0.2
"""``make bench-ci``'s ratio for the bundled ruleset END TO END (``scan_archive`` with the
ruleset's known claims, Parquet in and out) over python-hyperscan per row from the same file to
its flagged posts. Issue 10 asks for 3x; measured 0.24x and 0.49x on 10 MB of real text (load
7-11, 2 cores), so this is a regression gate with a margin below that, not the issue's target."""


@dataclass(frozen=True)
class Bench:
    """One benchmark of the JSON, with what the tables need."""

    name: str
    group: str
    info: dict[str, Any]
    stats: dict[str, Any]

    @property
    def kind(self) -> str:
        return str(self.info.get("kind", self.group))

    @property
    def system(self) -> str:
        return str(self.info.get("system", self.name))

    @property
    def threads(self) -> int | None:
        threads = self.info.get("threads")
        return int(threads) if threads is not None else None

    @property
    def seconds(self) -> float:
        """Median seconds: of the work the child reported (end to end), else of the rounds."""
        work = self.info.get("work_seconds")
        if work:
            return float(statistics.median(work))
        return float(self.stats["median"])

    @property
    def mbps(self) -> float | None:
        """Text MB (10^6 bytes) per second, when the benchmark scanned a corpus."""
        size = self.info.get("bytes")
        return size / 1e6 / self.seconds if size and self.seconds > 0 else None

    @property
    def corpus_mb(self) -> int | None:
        size = self.info.get("megabytes", self.info.get("corpus_mb"))
        return int(size) if size is not None else None


class Results:
    """The benchmarks of one run, indexed for the tables."""

    def __init__(self, data: dict[str, Any]) -> None:
        self.data = data
        self.benches = [
            Bench(b["name"], b.get("group") or "", b.get("extra_info") or {}, b["stats"])
            for b in data.get("benchmarks", [])
        ]

    @classmethod
    def load(cls, path: Path) -> Results:
        return cls(json.loads(Path(path).read_text()))

    def of(self, kind: str, **match: Any) -> list[Bench]:
        """Benchmarks of a kind whose ``extra_info`` (or ``system``) match ``match``."""
        found = []
        for bench in self.benches:
            if bench.kind != kind:
                continue
            if all(
                (bench.system if key == "system" else bench.info.get(key)) == value
                for key, value in match.items()
            ):
                found.append(bench)
        return found

    def one(self, kind: str, **match: Any) -> Bench | None:
        found = self.of(kind, **match)
        return found[0] if found else None

    # --- derived figures -------------------------------------------------------------------

    def end_to_end(self, system: str, megabytes: int, threads: int | None = None) -> Bench | None:
        match: dict[str, Any] = {"system": system, "megabytes": megabytes}
        if threads is not None:
            match["threads"] = threads
        return self.one("end-to-end", **match)

    def end_to_end_sizes(self) -> list[int]:
        return sorted({b.corpus_mb for b in self.of("end-to-end") if b.corpus_mb is not None})

    def conduct_scan_e2e(self, megabytes: int) -> Bench | None:
        """conduct-scan end to end with the benchmark ruleset, default threads (all cores)."""
        cores = self.machine().get("cores") or 2
        return self.end_to_end("conduct_scan", megabytes, cores) or self.end_to_end(
            "conduct_scan", megabytes
        )

    def e2e_ratio(self, peer: str) -> tuple[float, int] | None:
        """conduct-scan over ``peer`` end to end, at the largest size both ran."""
        for megabytes in reversed(self.end_to_end_sizes()):
            ours, theirs = self.conduct_scan_e2e(megabytes), self.end_to_end(peer, megabytes)
            if ours and theirs and ours.mbps and theirs.mbps:
                return ours.mbps / theirs.mbps, megabytes
        return None

    def limit(self) -> tuple[float, int] | None:
        """Decode + bare hs_scan on one core (MB/s), and the corpus they ran on."""
        decode = self.one("reference", system="parquet decode")
        bare = self.one("reference", system="bare hs_scan")
        if not decode or not bare or decode.info.get("bytes") != bare.info.get("bytes"):
            return None
        seconds = decode.seconds + bare.seconds
        return decode.info["bytes"] / 1e6 / seconds, decode.corpus_mb or 0

    def memory(self) -> list[tuple[int, float]]:
        """Peak RSS (MB) of conduct-scan end to end at each archive size (MB)."""
        series = []
        for megabytes in self.end_to_end_sizes():
            bench = self.conduct_scan_e2e(megabytes)
            if bench and bench.info.get("peak_rss_mb"):
                series.append((megabytes, float(bench.info["peak_rss_mb"])))
        return series

    def gate_ratio(self) -> tuple[Bench, Bench, float] | None:
        """In-memory conduct_scan over the Polars peer on the same corpus (the CI gate)."""
        ours = self.one("peer", system="conduct_scan")
        if not ours:
            return None
        theirs = self.one("peer", system=REFERENCE_PEER, bytes=ours.info.get("bytes"))
        if not theirs:
            return None
        return ours, theirs, theirs.seconds / ours.seconds

    def machine(self) -> dict[str, Any]:
        info = self.data.get("machine_info", {})
        extra: dict[str, Any] = info.get("conduct_scan", {})
        return extra


# --- formatting ----------------------------------------------------------------------------


def _mbps(value: float | None) -> str:
    if value is None:
        return "–"
    return f"{value:,.0f}" if value >= 10 else f"{value:.1f}"


def _ratio(value: float | None) -> str:
    return "–" if value is None else f"{value:.1f}×" if value < 10 else f"{value:,.0f}×"


def _seconds(value: float | None) -> str:
    if value is None:
        return "–"
    return f"{value * 1000:.0f} ms" if value < 1 else f"{value:.2f} s"


def _table(header: list[str], rows: Iterable[list[str]]) -> list[str]:
    lines = ["| " + " | ".join(header) + " |", "|" + "|".join("---" for _ in header) + "|"]
    lines += ["| " + " | ".join(row) + " |" for row in rows]
    return [*lines, ""]


def _met(ok: bool | None) -> str:
    return "–" if ok is None else "**met**" if ok else "**not met**"


# --- sections ------------------------------------------------------------------------------


def _machine(results: Results) -> list[str]:
    info = results.data.get("machine_info", {})
    extra = results.machine()
    cpu = info.get("cpu", {})
    commit = results.data.get("commit_info", {})
    versions = extra.get("versions", {})
    dirty = " (uncommitted changes)" if commit.get("dirty") else ""
    settings = extra.get("settings", {})
    lines = [
        "## Machine and run",
        "",
        f"- Run: {results.data.get('datetime', '?')[:19]} UTC, commit "
        f"`{str(commit.get('id', '?'))[:10]}`{dirty}.",
        f"- CPU: {cpu.get('brand_raw', '?')}, {extra.get('cores', cpu.get('count', '?'))} cores "
        f"({cpu.get('hz_actual_friendly', '?')}); memory {extra.get('memory_gb', '?')} GB; "
        f"{info.get('system', '?')} {extra.get('kernel', info.get('release', '?'))}; "
        f"Python {info.get('python_version', '?')}.",
        f"- Load average (1, 5, 15 min) at start {extra.get('load_at_start', '?')}, at end "
        f"{extra.get('load_at_end', '?')}: a load near the core count means other work shared the "
        "machine and the figures are pessimistic.",
        "- Versions: "
        + ", ".join(f"{k} {v}" for k, v in versions.items() if v)
        + f", libhs {extra.get('libhs', '?')}.",
        f"- Corpus: {extra.get('corpus', '?')} "
        + (
            "(Vietnamese Wikipedia, ViHOS, Davidson, SMS spam; 3 % of posts drawn from those "
            "labelled offensive or spam)"
            if extra.get("corpus") == "real"
            else "(conduct_scan.demo generator)"
        )
        + f"; in-memory corpus {settings.get('main_mb', '?')} MB, sample "
        f"{settings.get('sample_mb', '?')} MB, end-to-end archives "
        f"{', '.join(str(s) for s in settings.get('end_to_end_sizes', []))} MB; "
        f"{settings.get('rounds', '?')} timed rounds in memory.",
        "",
    ]
    return lines


TARGET_BUNDLED_MBPS = 250.0
"""Issue 10: ``Scanner.scan`` with the bundled ruleset in memory, 5x the 51 MB/s of 589cdb0."""
TARGET_BIG_POST_RSS_MB = 1000.0


def _bundled(results: Results) -> list[str]:
    """The bundled ruleset first: in memory with its peers, dense matches, big posts."""
    if not results.of("bundled") and not results.of("dense") and not results.of("big-post"):
        return []
    lines = ["## The bundled ruleset", ""]
    for kind, title in (
        ("bundled", "Bundled ruleset (46 rules, every view and condition) in memory"),
        ("dense", "Dense matches: 140 common Vietnamese phrases (about 30% of posts hit)"),
    ):
        benches = results.of(kind)
        if not benches:
            continue
        ours = [b for b in benches if b.system == "conduct_scan"]
        best = max((b.mbps or 0.0 for b in ours), default=0.0)
        rows = []
        for bench in benches:
            busy = bench.info.get("cores_busy")
            ratio = "–"
            if bench.system != "conduct_scan" and bench.mbps and best:
                ratio = f"conduct_scan {best / bench.mbps:.2f}×"
            rows.append(
                [
                    bench.system,
                    str(bench.threads or "–"),
                    f"{busy:.1f}" if busy is not None else "–",
                    f"{bench.corpus_mb} MB",
                    _mbps(bench.mbps),
                    _mbps(bench.mbps / busy) if bench.mbps and busy else "–",
                    ratio,
                    f"{bench.info.get('flagged', 0):,}",
                    str(bench.info.get("load", "–")),
                ]
            )
        lines += [
            f"### {title}",
            "",
            *_table(
                [
                    "system",
                    "threads",
                    "cores busy",
                    "corpus",
                    "MB/s",
                    "MB per CPU second",
                    "ratio",
                    "posts flagged",
                    "load (1, 5, 15 min)",
                ],
                rows,
            ),
        ]
        lines.append(
            "MB per CPU second is MB/s over the cores the system kept busy: on a machine shared "
            "with other work (a load above the 2 cores) it is the steadier figure."
        )
        if kind == "bundled" and best:
            lines.append(
                f"Target `Scanner.scan` ≥ {TARGET_BUNDLED_MBPS:.0f} MB/s: "
                f"{_mbps(best)} MB/s, {_met(best >= TARGET_BUNDLED_MBPS)}."
            )
        lines.append("")
    big = results.of("big-post")
    if big:
        rows = [
            [
                f"{b.info.get('post_mb', 0):,.0f} MB",
                f"{b.info.get('scan_seconds', 0):.1f} s",
                f"{b.info.get('peak_rss_mb', 0):,} MB",
                f"{b.info.get('findings', 0):,}",
                _met(float(b.info.get("peak_rss_mb", 0)) < TARGET_BIG_POST_RSS_MB)
                if round(b.info.get("post_mb", 0)) == 100
                else "",
            ]
            for b in sorted(big, key=lambda b: b.info.get("post_mb", 0))
        ]
        lines += [
            "### One big post (`Scanner.scan`, bundled ruleset, one thread, own process)",
            "",
            *_table(["post", "scan", "peak RSS", "findings", "< 1 GB at 100 MB"], rows),
            "Peak RSS includes the post itself (held once, as an Arrow array) and the interpreter.",
            "",
        ]
    return lines


def _targets(results: Results) -> list[str]:
    rows = []
    vs_polars = results.e2e_ratio(REFERENCE_PEER)
    rows.append(
        [
            f"end to end ≥ {TARGET_VS_POLARS:.0f}× Polars (contains_any + contains)",
            f"{_ratio(vs_polars[0])} at {vs_polars[1]} MB" if vs_polars else "not measured",
            _met(vs_polars[0] >= TARGET_VS_POLARS if vs_polars else None),
        ]
    )
    vs_hs = results.e2e_ratio(HYPERSCAN_PEER)
    rows.append(
        [
            f"end to end ≥ {TARGET_VS_HYPERSCAN:.0f}× python-hyperscan per row",
            f"{_ratio(vs_hs[0])} at {vs_hs[1]} MB" if vs_hs else "not measured",
            _met(vs_hs[0] >= TARGET_VS_HYPERSCAN if vs_hs else None),
        ]
    )
    limit = results.limit()
    one = results.end_to_end("conduct_scan", limit[1], 1) if limit else None
    if limit and one and one.mbps:
        share = one.mbps / limit[0]
        rows.append(
            [
                f"end to end ≥ {TARGET_SHARE_OF_LIMIT:.0%} of Parquet decode + bare hs_scan "
                "(1 core)",
                f"{share:.0%} ({_mbps(one.mbps)} of {_mbps(limit[0])} MB/s, {limit[1]} MB)",
                _met(share >= TARGET_SHARE_OF_LIMIT),
            ]
        )
    else:
        rows.append(["end to end ≥ 60 % of decode + bare hs_scan", "not measured", _met(None)])
    memory = results.memory()
    if len(memory) >= 2:
        (below_mb, below), (top_mb, top) = memory[-2], memory[-1]
        rows.append(
            [
                f"memory flat from {memory[0][0]} MB to {top_mb:,} MB (peak RSS at {top_mb:,} MB "
                f"≤ {TARGET_FLAT_MEMORY}× at {below_mb:,} MB)",
                " → ".join(f"{rss:,.0f}" for _, rss in memory) + " MB at "
                + " → ".join(f"{mb:,}" for mb, _ in memory) + " MB",
                _met(top <= TARGET_FLAT_MEMORY * below),
            ]
        )  # fmt: skip
    gate = results.gate_ratio()
    if gate:
        ours, _, ratio = gate
        rows.append(
            [
                f"CI gate: `Scanner.scan` ≥ {GATE_MINIMUM:.0f}× Polars in memory",
                f"{_ratio(ratio)} on {ours.corpus_mb} MB",
                _met(ratio >= GATE_MINIMUM),
            ]
        )
    return [
        "## Targets",
        "",
        *_table(["target", "measured", ""], rows),
        "Memory is judged on the largest archive against the next size down: the 10 MB archive, "
        "about one batch, never fills the pipeline's working set (batches read ahead, scanned, "
        "being written), so its peak is lower for that reason alone.",
        "",
    ]


def _race(results: Results) -> list[str]:
    ours = results.one("peer", system="conduct_scan")
    sample = results.one("peer", system="conduct_scan (sample)")
    rows = []
    for bench in results.of("peer"):
        reference = (
            sample
            if bench.info.get("bytes") == (sample.info.get("bytes") if sample else None)
            else ours
        )
        if bench.system.startswith("conduct_scan"):
            ratio = "1×"
        elif reference and reference.mbps and bench.mbps:
            ratio = _ratio(reference.mbps / bench.mbps)
        else:
            ratio = "–"
        agreement = bench.info.get("agreement")
        if agreement:
            agree = (
                f"{'equal' if agreement['equal'] else 'DIFFERENT'} on "
                f"{agreement['subset_posts']:,} posts ({agreement['subset_differences']} "
                f"differences; {agreement['differences']} outside)"
            )
        else:
            agree = ""
        busy = bench.info.get("cores_busy")
        rows.append(
            [
                bench.system,
                str(bench.threads or "–"),
                f"{busy:.1f}" if busy is not None else "–",
                f"{bench.corpus_mb} MB",
                _mbps(bench.mbps),
                ratio,
                f"{bench.info.get('flagged', 0):,}",
                agree,
            ]
        )
    lines = [
        "## The race, in memory",
        "",
        "Each system flags the posts that hold any of 2,000 terms or ~50 patterns, the column "
        "decoded beforehand (see `benchmarks/peers.py` for how each peer does it). conduct_scan "
        "matches in its casefold view with word boundaries and returns every match with offsets; "
        "the peers match raw text as substrings, so they flag more posts. *conduct_scan ×* is "
        "how many times faster conduct_scan is on the same corpus. *Agreement*: the flagged "
        'posts on the sample with plain-ASCII terms, ASCII patterns and `match = "substring"`, '
        "on the posts whose casefold view is their lower-casing (outside it conduct_scan also "
        "folds `ß`, NFD input, fullwidth letters, zero-width characters).",
        "",
        *_table(
            [
                "system",
                "threads",
                "cores busy",
                "corpus",
                "MB/s",
                "conduct_scan ×",
                "posts flagged",
                "agreement",
            ],
            rows,
        ),
    ]
    examples = [
        (bench.system, e)
        for bench in results.of("peer")
        for e in (bench.info.get("agreement") or {}).get("examples", [])
    ]
    if examples:
        lines += [
            "Posts flagged by one side only (all outside the common subset unless marked):",
            "",
        ]
        seen = set()
        for system, e in examples:
            key = (e["row"], e["flagged_by"])
            if key in seen:
                continue
            seen.add(key)
            where = "" if not e.get("in_subset") else " **(in the subset)**"
            by = "conduct_scan" if e["flagged_by"] == "conduct_scan" else system
            lines.append(f"- row {e['row']}, only {by}{where}: `{e['text'][:80]}`")
        lines.append("")
    return lines


def _end_to_end(results: Results) -> list[str]:
    rows = []
    for megabytes in results.end_to_end_sizes():
        ours = results.conduct_scan_e2e(megabytes)
        for bench in sorted(
            results.of("end-to-end", megabytes=megabytes),
            key=lambda b: (not b.system.startswith("conduct_scan"), b.system, b.threads or 0),
        ):
            ratio = (
                "–"
                if bench.system.startswith("conduct_scan") or not (ours and ours.mbps)
                else _ratio(ours.mbps / bench.mbps)
                if bench.mbps
                else "–"
            )
            wall = statistics.median(bench.info.get("wall_seconds") or [bench.seconds])
            rows.append(
                [
                    f"{megabytes:,} MB",
                    bench.system,
                    str(bench.threads or "–"),
                    _mbps(bench.mbps),
                    _seconds(bench.seconds),
                    _seconds(wall),
                    f"{bench.info.get('peak_rss_mb', 0):,.0f} MB",
                    ratio,
                ]
            )
    return [
        "## End to end",
        "",
        "Parquet archive in, flagged posts out as Parquet, each run in its own process. "
        "conduct-scan writes violations with evidence and context and per-account counts; the "
        "peers write the flagged posts' ids. *Work* is what the process reports for its own "
        "work (ruleset or database load, read, match, write); *wall* adds the interpreter's "
        "start and imports. MB/s are computed from *work*. Compiled Hyperscan databases come "
        "from a warm on-disk cache (conduct_scan's own; python-hyperscan's through "
        "`dumpb`/`loadb`). *conduct_scan ×*: conduct-scan with every core over this row.",
        "",
        *_table(
            ["archive", "system", "threads", "MB/s", "work", "wall", "peak RSS", "conduct_scan ×"],
            rows,
        ),
    ]


def _views(results: Results) -> list[str]:
    rows = []
    for view in VIEW_ORDER:
        by_threads = {b.threads: b for b in results.of("scan", view=view)}
        if not by_threads:
            continue
        one, two = by_threads.get(1), by_threads.get(2)
        speedup = _ratio(two.mbps / one.mbps) if one and two and one.mbps and two.mbps else "–"
        any_ = one or two
        assert any_
        rows.append(
            [
                view,
                _mbps(one.mbps if one else None),
                _mbps(two.mbps if two else None),
                speedup,
                f"{any_.info.get('findings', 0):,}",
                f"{any_.info.get('flagged', 0):,}",
            ]
        )
    if not rows:
        return []
    corpus = results.of("scan")[0].corpus_mb
    return [
        "## Scanner per view",
        "",
        f"`Scanner.scan` on {corpus} MB, every rule of the benchmark ruleset in one view (*all*: "
        "in the four views at once). The fold and skeleton views strip diacritics, so the "
        "lexicons' short terms match far more innocent Vietnamese words there: real rulesets "
        "use those views for curated terms only.",
        "",
        *_table(
            ["view", "1 thread MB/s", "2 threads MB/s", "speed-up", "findings", "posts flagged"],
            rows,
        ),
    ]


def _reference(results: Results) -> list[str]:
    decode = results.one("reference", system="parquet decode")
    bare = results.one("reference", system="bare hs_scan")
    limit = results.limit()
    if not (decode and bare and limit and bare.mbps):
        return []
    rows = [
        [
            "Parquet decode (pyarrow, 1 core, the columns conduct-scan reads)",
            "1",
            _mbps(decode.mbps),
            "",
            "",
        ],
        [
            "bare `hs_scan` per row (raw bytes, one database, matches counted)",
            "1",
            _mbps(bare.mbps),
            "100 %",
            "",
        ],
        ["limit: decode, then bare scan", "1", _mbps(limit[0]), "", "100 %"],
    ]
    for threads in (1, 2):
        ideal = threads  # perfect scaling: the 1-thread references times the threads
        scan = results.one("scan", view="casefold", threads=threads)
        if scan and scan.mbps:
            share = f"{scan.mbps / (bare.mbps * ideal):.0%}"
            rows.append(["`Scanner.scan`, casefold", str(threads), _mbps(scan.mbps), share, ""])
        e2e = results.end_to_end("conduct_scan", limit[1], threads)
        if e2e and e2e.mbps:
            share = f"{e2e.mbps / (limit[0] * ideal):.0%}"
            rows.append(
                ["`conduct-scan scan` end to end", str(threads), _mbps(e2e.mbps), "", share]
            )
    return [
        "## How close to the limit",
        "",
        f"On {limit[1]} MB. The bare scan looks for the same terms and patterns in the raw bytes "
        "of each row and does nothing else: no views, no word boundaries, no offsets, no "
        "output. Scanning is compared with it, the end-to-end run with decode plus bare scan; "
        "with 2 threads, against twice the 1-thread figure (perfect scaling).",
        "",
        *_table(["", "threads", "MB/s", "share of bare scan", "share of decode + bare scan"], rows),
    ]


def _rulesets(results: Results) -> list[str]:
    sizes = sorted({int(b.info["terms"]) for b in results.of("ruleset")})
    if not sizes:
        return []
    rows = []
    for size in sizes:
        cold = results.one("ruleset", operation="compile", cache="cold", terms=size)
        warm = results.one("ruleset", operation="compile", cache="warm", terms=size)
        ours = results.one("ruleset", operation="scan", system="conduct_scan", terms=size)
        polars = results.one("ruleset", operation="scan", system=REFERENCE_PEER, terms=size)
        rows.append(
            [
                f"{size:,}",
                _seconds(cold.seconds if cold else None),
                _seconds(warm.seconds if warm else None),
                _mbps(ours.mbps if ours else None),
                _mbps(polars.mbps if polars else None),
                _ratio(ours.mbps / polars.mbps)
                if ours and polars and ours.mbps and polars.mbps
                else "–",
            ]
        )
    corpus = next((b.corpus_mb for b in results.of("ruleset", operation="scan")), "?")
    return [
        "## Ruleset size",
        "",
        "The first *n* benchmark terms (bundled ruleset, lexicons, then three-syllable "
        "Vietnamese pseudo-phrases) and the ~50 patterns, casefold view. Compile: "
        "`Scanner(Ruleset.from_toml(...))`, cold (no Hyperscan cache) and warm (databases "
        f"loaded from the cache). Scan: on {corpus} MB, every core.",
        "",
        *_table(
            [
                "terms",
                "compile, cold",
                "compile, warm",
                "conduct_scan MB/s",
                "Polars MB/s",
                "conduct_scan ×",
            ],
            rows,
        ),
    ]


def _report(results: Results) -> list[str]:
    benches = [b for b in results.benches if b.group == "report"]
    if not benches:
        return []
    rows = []
    for bench in benches:
        findings = bench.info.get("findings")
        flagged = bench.info.get("flagged_posts")
        peak = bench.info.get("peak_rss_mb")
        rows.append(
            [
                bench.name,
                f"{findings:,}" if findings else "–",
                f"{flagged:,}" if flagged else "–",
                _seconds(bench.stats["min"]),
                f"{findings / bench.stats['min']:,.0f}" if findings else "–",
                f"{peak:,.0f} MB" if peak else "–",
            ]
        )
    return [
        "## Report (`benchmarks/bench_report.py`)",
        "",
        "`write_report` (html, md, json) on a synthetic scan output, best of its rounds.",
        "",
        *_table(
            ["benchmark", "findings", "flagged posts", "seconds", "findings/s", "peak RSS"], rows
        ),
    ]


# --- plots ---------------------------------------------------------------------------------


def _plots(results: Results, folder: Path) -> list[tuple[str, str]]:
    """Write the scaling curves; return (title, file name) of each."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    folder.mkdir(parents=True, exist_ok=True)
    written: list[tuple[str, str]] = []
    sizes = results.end_to_end_sizes()
    if sizes:
        fig, (speed, memory) = plt.subplots(1, 2, figsize=(11, 4.2))
        systems = sorted(
            {(b.system, b.threads) for b in results.of("end-to-end")},
            key=lambda s: (not s[0].startswith("conduct_scan"), s[0], s[1] or 0),
        )
        for system, threads in systems:
            points = [
                (b.corpus_mb, b.mbps, b.info.get("peak_rss_mb"))
                for b in results.of("end-to-end", system=system, threads=threads)
            ]
            points = sorted(p for p in points if p[0] and p[1])
            if not points:
                continue
            label = f"{system} ({threads} thr.)" if system.startswith("conduct_scan") else system
            style = "-o" if system.startswith("conduct_scan") else "--s"
            speed.plot([p[0] for p in points], [p[1] for p in points], style, label=label)
            memory.plot([p[0] for p in points], [p[2] for p in points], style, label=label)
        for axis, title, unit in (
            (speed, "throughput", "MB/s of text"),
            (memory, "peak RSS", "MB"),
        ):
            axis.set_xscale("log")
            axis.set_xlabel("archive, MB of text")
            axis.set_ylabel(unit)
            axis.set_title(f"End to end: {title}")
            axis.grid(alpha=0.3)
        memory.set_ylim(bottom=0)
        speed.legend(fontsize=7)
        fig.tight_layout()
        fig.savefig(folder / "end_to_end.png", dpi=110)
        plt.close(fig)
        written.append(
            ("End to end: throughput and peak memory against archive size", "end_to_end.png")
        )
    if results.of("ruleset"):
        fig, (compile_, scan) = plt.subplots(1, 2, figsize=(11, 4.2))
        for cache in ("cold", "warm"):
            timings = sorted(
                (int(b.info["terms"]), b.seconds)
                for b in results.of("ruleset", operation="compile", cache=cache)
            )
            if timings:
                compile_.plot(*zip(*timings, strict=True), "-o", label=f"compile, {cache} cache")
        for system in ("conduct_scan", REFERENCE_PEER):
            speeds = sorted(
                (int(b.info["terms"]), b.mbps or 0.0)
                for b in results.of("ruleset", operation="scan", system=system)
            )
            if speeds:
                scan.plot(*zip(*speeds, strict=True), "-o", label=system)
        compile_.set_yscale("log")
        compile_.set_ylabel("seconds")
        compile_.set_title("Ruleset compile time")
        scan.set_ylabel("MB/s of text")
        scan.set_title("Scan speed")
        scan.set_ylim(bottom=0)
        for axis in (compile_, scan):
            axis.set_xscale("log")
            axis.set_xlabel("terms (+ ~50 patterns)")
            axis.grid(alpha=0.3)
            axis.legend(fontsize=8)
        fig.tight_layout()
        fig.savefig(folder / "ruleset_size.png", dpi=110)
        plt.close(fig)
        written.append(("Compile time and scan speed against ruleset size", "ruleset_size.png"))
    views = [(v, {b.threads: b.mbps for b in results.of("scan", view=v)}) for v in VIEW_ORDER]
    views = [(v, t) for v, t in views if t]
    race = [b for b in results.of("peer") if b.mbps]
    if views or race:
        fig, axes = plt.subplots(1, 2, figsize=(11, 4.2))
        if views:
            width = 0.38
            for i, threads in enumerate((1, 2)):
                axes[0].bar(
                    [j + (i - 0.5) * width for j in range(len(views))],
                    [t.get(threads) or 0 for _, t in views],
                    width,
                    label=f"{threads} thread{'s' * (threads > 1)}",
                )
            axes[0].set_xticks(range(len(views)), [v for v, _ in views])
            axes[0].set_ylabel("MB/s of text")
            axes[0].set_title("Scanner.scan per view and threads")
            axes[0].legend(fontsize=8)
        if race:
            axes[1].barh(
                [b.system for b in race],
                [b.mbps or 0 for b in race],
                color=[
                    "tab:blue" if b.system.startswith("conduct_scan") else "tab:gray" for b in race
                ],
            )
            axes[1].invert_yaxis()
            axes[1].set_xlabel("MB/s of text")
            axes[1].set_title("In memory, same terms and patterns")
            axes[1].tick_params(axis="y", labelsize=7)
        fig.tight_layout()
        fig.savefig(folder / "in_memory.png", dpi=110)
        plt.close(fig)
        written.append(("In memory: views, threads and peers", "in_memory.png"))
    return written


def render(data: dict[str, Any], out: Path = HERE / "RESULTS.md", plots: bool = True) -> str:
    """Write ``out`` (and its plots, in ``plots/`` beside it) from pytest-benchmark JSON.

    Parameters
    ----------
    data
        The JSON of one run (``benchmarks/results.json``), as loaded.
    out
        The Markdown file to write.
    plots
        Whether to draw the plots (``matplotlib``).

    Returns
    -------
    str
        The Markdown written.
    """
    results = Results(data)
    out.parent.mkdir(parents=True, exist_ok=True)
    lines = [
        "# Benchmark results",
        "",
        "Written by `make bench` (`python -m benchmarks run`) from `benchmarks/results.json`; "
        "`python -m benchmarks render` redraws it from the JSON. What each benchmark measures: "
        "`benchmarks/README.md`. MB are 10^6 bytes of UTF-8 text; every figure is a median.",
        "",
        *_machine(results),
        *_bundled(results),
        *_targets(results),
        *_race(results),
        *_end_to_end(results),
        *_reference(results),
        *_views(results),
        *_rulesets(results),
        *_report(results),
    ]
    if plots:
        figures = _plots(results, out.parent / "plots")
        if figures:
            lines += ["## Plots", ""]
            lines += [f"![{title}](plots/{name})\n" for title, name in figures]
    text = "\n".join(lines).rstrip() + "\n"
    out.write_text(text, encoding="utf-8")
    return text
