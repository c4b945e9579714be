#!/usr/bin/env bash
# Runs each sipchat fuzz target for N seconds and fails if any of them crashes.
#
#   tests/fuzz/run.sh [--skip-known] [SECONDS] [TARGET...]
#
# SECONDS defaults to 20; TARGET defaults to every target. --skip-known makes
# the harnesses step around the open bugs listed in tests/fuzz/src/lib.rs
# (module `known`), to look for further ones; without it a known open bug
# fails the run like any other crash. Needs a nightly
# toolchain (`rustup toolchain install nightly`) and cargo-fuzz, which this
# script installs from crates.io when it is missing.
#
# Environment:
#   FUZZ_TOOLCHAIN    toolchain to build with (default: nightly)
#   FUZZ_TARGET_DIR   cargo target dir (default: tests/fuzz/target)
#   FUZZ_JOBS         targets run at the same time (default: 1)
#   FUZZ_NO_BUILD     set: use the binaries already built in FUZZ_TARGET_DIR
#
# The working corpus of each target is kept in tests/fuzz/corpus/TARGET (not
# committed) and seeded from tests/vectors (all wire vectors and the fuzz
# regressions) and tests/fuzz/seeds/TARGET. A crash leaves its input in
# tests/fuzz/artifacts/TARGET/; copy it to tests/vectors/fuzz-regressions/
# with a descriptive name and give it a test in tests/wire_vectors.rs.
#
# Exit status: 0 when every target ran without a crash, 1 when one crashed
# (or failed to run), 2 when the toolchain or cargo-fuzz is not available.

set -uo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/../.." && pwd)"
vectors="$root/tests/vectors"

if [[ "${1:-}" == "--skip-known" ]]; then
    export SIPCHAT_FUZZ_SKIP_KNOWN=1
    shift
fi
seconds="${1:-20}"
if [[ $# -gt 0 ]]; then shift; fi
if ! [[ "$seconds" =~ ^[0-9]+$ ]] || [[ "$seconds" -eq 0 ]]; then
    echo "run.sh: SECONDS must be a positive whole number, got '$seconds'" >&2
    exit 2
fi
all_targets=(sip_message digest_challenge stream_framer sip_uri agent_packet sdp msrp_frame msrp_session cpim im_xml alert_body content_disposition pidf winfo rlmi resource_lists vcard_import stun_message)
if [[ $# -gt 0 ]]; then targets=("$@"); else targets=("${all_targets[@]}"); fi

toolchain="${FUZZ_TOOLCHAIN:-nightly}"
target_dir="${FUZZ_TARGET_DIR:-$here/target}"
jobs="${FUZZ_JOBS:-1}"

if ! cargo "+$toolchain" --version >/dev/null 2>&1; then
    echo "run.sh: the '$toolchain' toolchain is not installed (rustup toolchain install $toolchain)" >&2
    exit 2
fi
if ! cargo fuzz --version >/dev/null 2>&1; then
    echo "run.sh: installing cargo-fuzz" >&2
    if ! cargo install cargo-fuzz --locked >&2; then
        echo "run.sh: cargo-fuzz could not be installed" >&2
        exit 2
    fi
fi

fuzz=(cargo "+$toolchain" fuzz)
common=(--fuzz-dir "$here" --target-dir "$target_dir")

if [[ -z "${FUZZ_NO_BUILD:-}" ]]; then
    echo "== building fuzz targets ($toolchain)"
    if ! "${fuzz[@]}" build "${common[@]}" >/dev/null 2>"$here/.build.log"; then
        tail -40 "$here/.build.log" >&2
        echo "run.sh: build failed" >&2
        exit 1
    fi
    rm -f "$here/.build.log"
fi
# Run the built binaries directly: `cargo fuzz run` would rebuild before each
# target (and, with FUZZ_JOBS > 1, several builds would race).
triple="$(rustc "+$toolchain" -vV | sed -n 's/^host: //p')"
bin_dir="$target_dir/$triple/release"
export ASAN_OPTIONS="${ASAN_OPTIONS:-detect_odr_violation=0}"

# Seed corpora for each target (read-only inputs; libFuzzer reads them
# recursively and also writes new finds to the first, writable, directory).
seeds_for() {
    case "$1" in
        sip_message | stream_framer | agent_packet) echo "$vectors" ;;
        content_disposition) echo "$here/seeds/$1" ;;
        sip_uri | digest_challenge) echo "$here/seeds/$1 $vectors/fuzz-regressions" ;;
        sdp) echo "$vectors/sdp" ;;
        alert_body) echo "$vectors/cap" ;;
        msrp_frame | msrp_session) echo "$here/seeds/$1 $vectors/msrp" ;;
        cpim | im_xml) echo "$vectors/msrp" ;;
        pidf | winfo | rlmi | resource_lists) echo "$vectors/presence" ;;
        stun_message) echo "$vectors/stun" ;;
    esac
}

dict_for() {
    case "$1" in
        msrp_frame | msrp_session | cpim | im_xml) echo "$here/msrp.dict" ;;
        sdp) echo "$here/sdp.dict" ;;
        *) echo "$here/sip.dict" ;;
    esac
}

run_one() {
    local t="$1" log="$here/artifacts/$1/run.log"
    mkdir -p "$here/corpus/$t" "$here/artifacts/$t"
    local seeds
    read -r -a seeds <<<"$(seeds_for "$t")"
    "$bin_dir/$t" "$here/corpus/$t" "${seeds[@]}" \
        -max_total_time="$seconds" \
        ${FUZZ_SEED:+-seed="$FUZZ_SEED"} \
        -timeout=10 \
        -rss_limit_mb=2048 \
        -max_len=65536 \
        -dict="$(dict_for "$t")" \
        -print_final_stats=1 \
        -artifact_prefix="$here/artifacts/$t/" \
        >"$log" 2>&1
    local status=$?
    local execs
    execs="$(grep -o 'stat::number_of_executed_units: *[0-9]*' "$log" | grep -o '[0-9]*$' | tail -1)"
    if [[ $status -eq 0 ]]; then
        echo "ok    $t: ${execs:-?} executions in ${seconds}s"
    else
        echo "FAIL  $t (exit $status): ${execs:-?} executions; log $log"
        grep -E -A2 'panicked at' "$log" | head -6 | sed 's/^/      /'
        grep -E 'ERROR: libFuzzer|Test unit written to' "$log" | head -3 | sed 's/^/      /'
    fi
    return $status
}

failed=0
pids=()
names=()
for t in "${targets[@]}"; do
    if [[ " ${all_targets[*]} " != *" $t "* ]]; then
        echo "run.sh: unknown target '$t' (targets: ${all_targets[*]})" >&2
        exit 2
    fi
    if [[ "$jobs" -le 1 ]]; then
        run_one "$t" || failed=1
    else
        run_one "$t" &
        pids+=($!)
        names+=("$t")
        if [[ ${#pids[@]} -ge $jobs ]]; then
            wait "${pids[0]}" || failed=1
            pids=("${pids[@]:1}")
            names=("${names[@]:1}")
        fi
    fi
done
for pid in "${pids[@]}"; do
    wait "$pid" || failed=1
done

if [[ $failed -ne 0 ]]; then
    echo "fuzzing found a crash (or a target failed to run); inputs are in $here/artifacts/" >&2
    exit 1
fi
echo "fuzzing: no crash"
