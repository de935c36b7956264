#!/usr/bin/env bash
# Builds the fuzz targets (nightly, libFuzzer, AddressSanitizer) and runs each for SECONDS.
#   fuzz/run.sh SECONDS [TARGET...]      (default targets: views ruleset scan)
# The growing corpus lives in $FUZZ_WORK (default $CARGO_TARGET_DIR/fuzz-work/<target>); the
# small seed corpus in fuzz/corpus/<target> is read, never written. Crashes are written to
# $FUZZ_WORK/artifacts/ and the run goes on until its time is up; the exit code is 1 if any
# target crashed.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
seconds="${1:?usage: fuzz/run.sh SECONDS [TARGET...]}"
shift
if (( $# == 0 )); then set -- views ruleset scan; fi
targets=("$@")
target_dir="${CARGO_TARGET_DIR:-$HOME/.cache/conduct-scan/target}/fuzz"
work="${FUZZ_WORK:-${CARGO_TARGET_DIR:-$HOME/.cache/conduct-scan/target}/fuzz-work}"
triple="$(rustc -vV | sed -n 's/^host: //p')"
toolchain="${FUZZ_TOOLCHAIN:-+nightly}"
flags="-Cpasses=sancov-module -Cllvm-args=-sanitizer-coverage-level=4"
flags+=" -Cllvm-args=-sanitizer-coverage-inline-8bit-counters -Cllvm-args=-sanitizer-coverage-pc-table"
flags+=" -Cllvm-args=-sanitizer-coverage-trace-compares --cfg fuzzing -Zsanitizer=address"
(cd "$here" && CARGO_TARGET_DIR="$target_dir" RUSTFLAGS="$flags" \
    cargo "$toolchain" build -q --release --bins --target "$triple")
declare -A max_len=([views]=512 [ruleset]=4096 [scan]=2048)
status=0
for t in "${targets[@]}"; do
    mkdir -p "$work/$t" "$work/artifacts"
    deadline=$(( $(date +%s) + seconds ))
    while left=$(( deadline - $(date +%s) )); (( left > 0 )); do
        echo "fuzz/$t: ${left}s left" >&2
        if ! "$target_dir/$triple/release/$t" "$work/$t" "$here/corpus/$t" \
            -max_total_time="$left" -max_len="${max_len[$t]}" -timeout=30 -rss_limit_mb=4096 \
            -print_funcs=0 -print_final_stats=1 -artifact_prefix="$work/artifacts/$t-" \
            2> >(grep -v -e '^#' -e 'Uses:' -e NEW_FUNC >&2); then
            echo "fuzz/$t: crashed (artifact in $work/artifacts/)" >&2
            status=1
        fi
    done
done
exit $status
