#!/usr/bin/env bash
# Idle memory of `sipchat listen` registered at Kamailio (issue 20), with a
# breakdown from /proc/PID/smaps. Not run in CI.
#
#   tests/bench/idle_rss.sh [SAMPLES] BINARY [BINARY...]
#
# Starts one Kamailio (the tests' config, tests/kamailio/kamailio.cfg, over
# UDP), then for each sample and each binary in turn (so the binaries share the
# machine's state) a fresh `BINARY --data-dir TMP listen --json` for alice,
# waits until it says it is registered, lets it settle, and reads smaps.
# Prints per binary the median of each column, in MiB:
#   rss       VmRSS
#   binary    pages of the program file itself (code, read-only data, relro)
#   libs      pages of shared libraries
#   anon      anonymous mappings (malloc's arenas, stacks, ...; not the program's
#             own relocated data, which counts under binary)
#   arenas    of anon: malloc's arenas ([heap] and one per thread that allocated)
#   stacks    of anon: stacks ([stack] and each thread's, after its guard page)
#   threads   number of threads
set -euo pipefail

samples=5
if [[ ${1:-} =~ ^[0-9]+$ ]]; then samples=$1; shift; fi
[[ $# -ge 1 ]] || { echo "usage: $0 [SAMPLES] BINARY [BINARY...]" >&2; exit 2; }
settle=${IDLE_RSS_SETTLE:-5}
here=$(cd "$(dirname "$0")/../.." && pwd)
# shellcheck source=tests/bench/kamailio_alice.sh
source "$here/tests/bench/kamailio_alice.sh"

# smaps of PID -> "rss binary libs anon arenas stacks threads" in KiB (threads a count)
measure() {
    local pid=$1 binary
    binary=$(readlink -f "/proc/$pid/exe")
    awk -v binary="$binary" -v threads="$(ls "/proc/$pid/task" | wc -l)" '
        function number(hex,    i, n) {
            n = 0
            for (i = 1; i <= length(hex); i++) n = n * 16 + index("0123456789abcdef", substr(hex, i, 1)) - 1
            return n
        }
        /^[0-9a-f]+-[0-9a-f]+ / {
            split($1, range, "-"); start = number(range[1]); end = number(range[2])
            path = (NF >= 6) ? $6 : ""; kind = "other"
            if (path == binary) kind = "binary"
            else if (path ~ /\.so/) kind = "libs"
            else if (path == "[heap]") kind = "arenas"
            else if (path == "[stack]") kind = "stacks"
            else if (path == "") {
                kind = "anon"
                # glibc places each thread arena at a multiple of 64 MiB
                if (start % 67108864 == 0) kind = "arenas"
                # a thread stack lies right after its guard page
                else if (guard_end == start) kind = "stacks"
            }
            guard_end = ($2 == "---p" && end - start <= 65536) ? end : -1
            next
        }
        /^Rss:/ { rss[kind] += $2; total += $2 }
        END {
            anon = rss["anon"] + rss["arenas"] + rss["stacks"]
            printf "%d %d %d %d %d %d %d\n", total, rss["binary"], rss["libs"], anon, rss["arenas"], rss["stacks"], threads
        }' "/proc/$pid/smaps"
}

declare -A results
for sample in $(seq "$samples"); do
    for bin in "$@"; do
        data="$work/data-$sample-$(basename "$bin")"
        mkdir -p "$data"
        "$bin" --config "$work/alice.ron" --data-dir "$data" listen --json >"$work/out" 2>"$work/err" &
        listen_pid=$!
        for _ in $(seq 200); do grep -q '"registered"' "$work/out" && break; sleep 0.1; done
        grep -q '"registered"' "$work/out" || { echo "$bin did not register:" >&2; cat "$work/out" "$work/err" >&2; exit 1; }
        sleep "$settle"
        line=$(measure "$listen_pid")
        [[ -n ${IDLE_RSS_KEEP:-} ]] && cp "/proc/$listen_pid/smaps" "$IDLE_RSS_KEEP.$(basename "$bin").$sample"
        results[$bin]+="$line"$'\n'
        kill -INT "$listen_pid"; wait "$listen_pid" || true; listen_pid=
    done
done

printf '%-60s %8s %8s %8s %8s %8s %8s %8s  (MiB, median of %d)\n' binary rss binary libs anon arenas stacks threads "$samples"
for bin in "$@"; do
    printf '%s' "${results[$bin]}" | awk -v name="$bin" '
        { for (i = 1; i <= NF; i++) column[i, NR] = $i; n = NR; fields = NF }
        END {
            printf "%-60s", name
            for (i = 1; i <= fields; i++) {
                m = 0; for (r = 1; r <= n; r++) v[r] = column[i, r]
                for (a = 1; a <= n; a++) for (b = a + 1; b <= n; b++) if (v[b] < v[a]) { t = v[a]; v[a] = v[b]; v[b] = t }
                m = v[int((n + 1) / 2)]
                if (i == fields) printf " %8d", m; else printf " %8.1f", m / 1024
            }
            printf "\n"
        }'
done
