#!/usr/bin/env bash
# The wheel as a user gets it: a fresh virtual environment with the wheel and only its declared
# dependencies, no Rust, no system Hyperscan on the library path. Checks that the extension
# carries its regex engine (no libhs in `readelf -d`), that the bundled ruleset's examples pass
# and that a small audit runs, for every CPython found here (the wheel is abi3, cp310+).
set -euo pipefail
dist="${1:-dist}"
wheel="$(ls "$dist"/conduct_scan-*-abi3-*.whl | head -n1)"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

# Every CPython >= 3.10 on this machine: on PATH, or installed by pyenv (its shims answer for
# versions that are not selected, so each candidate is asked to run).
pythons=()
pyenv_root="$(pyenv root 2>/dev/null || true)"
for minor in 10 11 12 13 14; do
    for candidate in "python3.$minor" "$pyenv_root"/versions/3."$minor".*/bin/python3."$minor"; do
        if "$candidate" -c "" 2>/dev/null; then pythons+=("$(command -v "$candidate")"); break; fi
    done
done
echo "wheel: $(basename "$wheel"); CPython found: ${pythons[*]}"

for python in "${pythons[@]}"; do
    version="$("$python" -c 'import sys; print("%d.%d" % sys.version_info[:2])')"
    venv="$work/venv-$version"
    "$python" -m venv "$venv"
    "$venv/bin/pip" install -q "$wheel"
    core="$(ls "$venv"/lib/python*/site-packages/conduct_scan/_core*.so)"
    if readelf -d "$core" | grep -E "NEEDED.*libhs"; then
        echo "FAIL ($version): the installed extension still needs a system libhs" >&2
        exit 1
    fi
    echo "ok ($version): $(basename "$core") needs: $(readelf -d "$core" | sed -n 's/.*NEEDED.*\[\(.*\)\]/\1/p' | tr '\n' ' ')"
    (cd "$work" && "$venv/bin/conduct-scan" --version)
    (cd "$work" && "$venv/bin/conduct-scan" rules test)
    (cd "$work" && "$venv/bin/conduct-scan" demo --out "$work/demo-$version" --posts 2000 --days 2 --quiet)
    test -f "$work/demo-$version/audit/report/report.html"
    echo "ok ($version): rules test and a demo audit from the installed wheel"
done
