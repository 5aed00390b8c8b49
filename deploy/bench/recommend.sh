#!/usr/bin/env bash
# ./marquee bench recommend: /recommend latency (p50/p95/p99 per stage and end to end) at 10k and 100k items, open
# loop at MARQUEE_BENCH_RPS (default 200) for MARQUEE_BENCH_SECONDS (default 20) per size, with the same-run floor of
# a no-op endpoint. Starts an isolated stack (the ports of ./marquee test), no simulator; traffic goes to 127.0.0.1
# only and stops by itself. Last line: items=… rps=… p50_ms=… p99_ms=… floor_p99_ms=… errors=…
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
cd "$ROOT"
./marquee bench-stack e2e-tests RecommendBenchmark recommend | grep -E "^(loaded|model:|items=|    stage|    cpu|\[infra\]|\[marquee\]|\[ERROR\])"
