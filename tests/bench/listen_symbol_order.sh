#!/usr/bin/env bash
# Writes link/listen-symbols.txt: the functions an idle `sipchat listen` runs
# (start, store, registration at Kamailio, the first refreshes' timers), one
# mangled symbol a line. build.rs hands the file to the linker (lld's
# --symbol-ordering-file) for release builds, which lays these functions out
# together at the start of .text: an idle `listen` then keeps a few MiB of code
# resident instead of pages scattered over the whole 22 MB (issue 20).
#
#   tests/bench/listen_symbol_order.sh BINARY...       record
#   tests/bench/listen_symbol_order.sh --check BINARY  how many listed functions BINARY has
#
# BINARY: release builds of `sipchat` with their symbol tables, the default one
# and the one without the window (`--no-default-features`); the list is the union
# (a build's names that the other build lacks are skipped when it is linked).
# The names carry hashes that change with the code (a third of them changed over
# one day of merges), and a function the list misses stays where the compiler put
# it: record again before a release, from a release build of that tree, then build
# again (the list is read when the program is linked). --check says how stale the
# list is.
# Needs valgrind (callgrind) besides what tests/bench/kamailio_alice.sh needs.
set -euo pipefail
here=$(cd "$(dirname "$0")/../.." && pwd)
list="$here/link/listen-symbols.txt"
if [[ ${1:-} == --check && $# -eq 2 ]]; then
    found=$(nm --defined-only "$2" | awk '{ print $3 }' | sort -u | comm -12 - <(sort -u "$list") | wc -l)
    echo "$found of $(wc -l <"$list") functions of link/listen-symbols.txt are in $2"
    exit 0
fi
[[ $# -ge 1 ]] || { echo "usage: $0 BINARY... | --check BINARY" >&2; exit 2; }
# shellcheck source=tests/bench/kamailio_alice.sh
source "$here/tests/bench/kamailio_alice.sh"

# Two runs on one data directory: the first creates the history (UDP), the
# second opens it again (TCP, with the local account): both ways a user starts.
record() {
    local bin=$1 config=$2 run=$3
    : >"$work/out"
    valgrind --tool=callgrind --demangle=no --callgrind-out-file="$work/callgrind.$run" \
        "$bin" --config "$work/$config" --data-dir "$work/data" listen --json >"$work/out" 2>"$work/err" &
    listen_pid=$!
    for _ in $(seq 1200); do grep -q '"registered"' "$work/out" && break; sleep 0.1; done
    grep -q '"registered"' "$work/out" || { echo "did not register:" >&2; cat "$work/out" "$work/err" >&2; exit 1; }
    sleep "${LISTEN_ORDER_SETTLE:-20}"
    kill -INT "$listen_pid"
    wait "$listen_pid" || true
    listen_pid=
}
: >"$work/ran"
for binary in "$@"; do
    bin=$(readlink -f "$binary")
    rm -rf "$work/data" "$work"/callgrind.*
    mkdir -p "$work/data"
    record "$bin" alice.ron 1
    record "$bin" alice-tcp-local.ron 2
    # Every function callgrind saw run, kept if the program defines it (nm).
    nm --defined-only "$bin" | awk '$2 ~ /^[tTwW]$/ { print $3 }' | sort -u >"$work/defined"
    sed -n 's/^c\?fn=([0-9]*) //p' "$work"/callgrind.[12]* | sort -u | comm -12 "$work/defined" - >>"$work/ran"
done
sort -u "$work/ran" >"$list"
echo "$(wc -l <"$list") functions into link/listen-symbols.txt" >&2
