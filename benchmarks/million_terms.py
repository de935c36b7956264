"""How a ruleset of a million terms fares: load, compile (within the default limits), scan.

    .venv/bin/python -m benchmarks.million_terms [TERMS] [--backend hyperscan|aho-corasick]

Prints the time and peak RSS of each step, and the error when the ruleset is refused. The terms
are distinct pseudo-words of 2 to 4 Vietnamese syllables, so they normalise to distinct keys.
"""

from __future__ import annotations

import argparse
import random
import resource
import tempfile
import time
from pathlib import Path

from conduct_scan import Ruleset, Scanner
from conduct_scan.errors import RulesetError

SYLLABLES = ["ba", "mẹ", "đồ", "ngu", "lừa", "đảo", "chó", "vay", "tiền", "nhanh", "cờ", "bạc",
             "thằng", "con", "mày", "tao", "khốn", "nạn", "bán", "hàng"]  # fmt: skip


def _rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _terms(n: int, seed: int = 1) -> list[str]:
    rng = random.Random(seed)
    seen: set[str] = set()
    while len(seen) < n:
        words = rng.choices(SYLLABLES, k=rng.randint(2, 4))
        seen.add(" ".join(words) + str(rng.randint(0, 999)))
    return sorted(seen)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("terms", type=int, nargs="?", default=1_000_000)
    parser.add_argument("--backend", default="hyperscan", choices=["hyperscan", "aho-corasick"])
    parser.add_argument("--max-compile-seconds", type=float, default=None)
    args = parser.parse_args()
    terms = _terms(args.terms)
    body = ",\n".join(f'"{t}"' for t in terms)
    text = ('[ruleset]\nid = "big"\nversion = "1"\n[[clause]]\nid = "c"\ntitle = "C"\n'
            f'[[rule]]\nid = "million"\nclause = "c"\nterms = [\n{body}\n]\n')  # fmt: skip
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "big.toml"
        path.write_text(text, encoding="utf-8")
        print(f"{len(terms):,} terms, {path.stat().st_size / 1e6:.1f} MB of TOML")
        started = time.perf_counter()
        ruleset = Ruleset.load(path)
        print(f"load: {time.perf_counter() - started:.1f} s, peak RSS {_rss_mb():,.0f} MB")
    started = time.perf_counter()
    limits = (
        {}
        if args.max_compile_seconds is None
        else {"max_compile_seconds": args.max_compile_seconds}
    )
    try:
        scanner = Scanner(ruleset, threads=1, literal_backend=args.backend, **limits)
    except RulesetError as error:
        print(f"compile refused after {time.perf_counter() - started:.1f} s, peak RSS "
              f"{_rss_mb():,.0f} MB: {error}")  # fmt: skip
        return
    print(f"compile ({args.backend}): {time.perf_counter() - started:.1f} s, peak RSS "
          f"{_rss_mb():,.0f} MB")  # fmt: skip
    texts = [f"bài {i}: {terms[i * 997 % len(terms)]} nhé" for i in range(10_000)]
    started = time.perf_counter()
    found = scanner.scan(texts).num_rows
    print(f"scan of 10,000 posts: {time.perf_counter() - started:.2f} s, {found:,} findings, "
          f"peak RSS {_rss_mb():,.0f} MB")  # fmt: skip


if __name__ == "__main__":
    main()
