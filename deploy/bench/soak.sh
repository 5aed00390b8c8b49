#!/usr/bin/env bash
# ./marquee soak: the live regime for MARQUEE_BENCH_SOAK_MINUTES (10) at 200 /recommend/s while 1,000 events/s flow
# (10k items, 100k users), on an isolated stack, loopback only, bounded in count and time. A line per minute:
# latencies, errors, each service's heap after GC, threads and RSS; last line: errors= heap_growth_mb= threads_growth=
# rss_growth_mb= (the largest growth over the services from the first minute to the last). About 20 minutes.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
cd "$ROOT"
export MARQUEE_BENCH_PROFILE=soak MARQUEE_BENCH_RPS="${MARQUEE_BENCH_RPS:-200}" \
  MARQUEE_BENCH_EVENTS_PER_S="${MARQUEE_BENCH_EVENTS_PER_S:-1000}" MARQUEE_BENCH_ITEMS="${MARQUEE_BENCH_ITEMS:-10000}"
./marquee bench-stack e2e-tests RecommendBenchmark recommend | grep --line-buffered -E "^(loaded|history:|ann lists:|live traffic:|model:|warm-up|soak |profile=|\[infra\]|\[marquee\]|\[ERROR\])"
