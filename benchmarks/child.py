"""Run a command and measure its peak resident memory on its own.

``ru_maxrss`` of a child started straight from the benchmark process is wrong: Linux carries
the high-water mark of the memory the child was forked from across ``exec``, so every child of
a 500 MB pytest process reports at least 500 MB. This launcher is a small process of its own:
the command it starts inherits at most the launcher's few megabytes, and ``wait4`` gives the
command's own peak.

``python -m benchmarks.child REPORT -- COMMAND...`` runs ``COMMAND`` (stdout and stderr passed
through), then writes ``{"peak_rss_mb", "wall_seconds", "returncode"}`` as JSON to ``REPORT``
and exits with the command's status.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path


def main(argv: list[str]) -> int:
    report, separator, *command = argv
    if separator != "--" or not command:
        print("usage: python -m benchmarks.child REPORT -- COMMAND...", file=sys.stderr)
        return 2
    started = time.perf_counter()
    process = subprocess.Popen(command)
    _, status, usage = os.wait4(process.pid, 0)
    wall = time.perf_counter() - started
    process.returncode = os.waitstatus_to_exitcode(status)
    Path(report).write_text(
        json.dumps(
            {
                "peak_rss_mb": usage.ru_maxrss / 1024,
                "wall_seconds": wall,
                "returncode": process.returncode,
            }
        )
    )
    return process.returncode


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
