"""conduct_scan's benchmark suite: measurements, not tests (see benchmarks/README.md)."""
