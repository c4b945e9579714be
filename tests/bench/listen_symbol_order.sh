#!/usr/bin/env bash
# Writes link/listen-symbols.txt: the functions an idle `sipchat listen` runs
# (start, store, registration at Kamailio, the first refreshes' timers), one
# mangled symbol a line. build.rs hands the file to the linker (lld's
# --symbol-ordering-file) for release builds, which lays these functions out
# together at the start of .text: an idle `listen` then keeps a few MiB of code
# resident instead of pages scattered over the whole 22 MB (issue 20).
#
#   tests/bench/listen_symbol_order.sh BINARY
#
# BINARY: a release build of `sipchat` (default features) with its symbol table.
# Run it again after large changes; symbols it no longer finds are only skipped.
# Needs valgrind (callgrind) besides what tests/bench/kamailio_alice.sh needs.
set -euo pipefail
[[ $# -eq 1 ]] || { echo "usage: $0 BINARY" >&2; exit 2; }
bin=$(readlink -f "$1")
here=$(cd "$(dirname "$0")/../.." && pwd)
# shellcheck source=tests/bench/kamailio_alice.sh
source "$here/tests/bench/kamailio_alice.sh"

mkdir -p "$work/data"
valgrind --tool=callgrind --demangle=no --callgrind-out-file="$work/callgrind.out" \
    "$bin" --config "$work/alice.ron" --data-dir "$work/data" listen --json >"$work/out" 2>"$work/err" &
listen_pid=$!
for _ in $(seq 1200); do grep -q 'registered' "$work/out" && break; sleep 0.1; done
grep -q 'registered' "$work/out" || { echo "did not register:" >&2; cat "$work/out" "$work/err" >&2; exit 1; }
sleep "${LISTEN_ORDER_SETTLE:-20}"
kill -INT "$listen_pid"
wait "$listen_pid" || true
listen_pid=

# Every function callgrind saw run, kept if the program defines it (nm).
nm --defined-only "$bin" | awk '$2 ~ /^[tTwW]$/ { print $3 }' | sort -u >"$work/defined"
sed -n 's/^c\?fn=([0-9]*) //p' "$work"/callgrind.out* | sort -u >"$work/ran"
comm -12 "$work/defined" "$work/ran" >"$here/link/listen-symbols.txt"
echo "$(wc -l <"$here/link/listen-symbols.txt") functions into link/listen-symbols.txt" >&2
