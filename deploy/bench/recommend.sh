#!/usr/bin/env bash
# ./marquee bench recommend: /recommend latency (p50/p95/p99 per stage and end to end, CPU per request by process) at
# 10k and 100k items (MARQUEE_BENCH_ITEMS). Per size: an unmeasured warm-up in 30 s windows whose rate starts at
# MARQUEE_BENCH_WARMUP_RPS (default 40) and rises by as much each window to the headline rate, then goes on at it
# while the stack's CPU per request still falls by more than a tenth (at least MARQUEE_BENCH_WARMUP_SECONDS, default
# 180, at most MARQUEE_BENCH_WARMUP_MAX_SECONDS, default 300), the floor of a no-op endpoint,
# then an open loop at each rate of
# MARQUEE_BENCH_RPS (default 50,100,200; the last is the headline) for MARQUEE_BENCH_SECONDS (default 20), each
# after an unmeasured lead-in of MARQUEE_BENCH_LEAD_IN_SECONDS (default 10) at the same rate, reported on its own line,
# and each with
# the CPU per request by process, the share of the machine's CPU time the host stole and that spent outside the stack
# ("cpu machine": a slow box shows there), and the Redis commands per request. Starts an
# isolated stack (the ports of ./marquee test), no simulator; traffic goes to 127.0.0.1 only and stops by itself.
# Two regimes per size (MARQUEE_BENCH_PROFILE, default cached,live): "cached", the 1,000 users of the history asked in
# a cycle with no events (every answer in memory after the warm-up), and "live", the headline: users drawn from a
# population of MARQUEE_BENCH_USERS (100,000; 3 events each beforehand) with Zipf-like weights (MARQUEE_BENCH_ZIPF,
# 1.0: most asked rarely), while MARQUEE_BENCH_EVENTS_PER_S (500) events flow through ingest (their clicks on the
# lists shown, topped up with organic views and clicks); the warm-up runs the live traffic. Each pass also prints where
# the ANN answers came from (computed off the request path, cached, searched on it), Milvus searches and query
# vectors per request, and the reasons of degraded answers; after the live pass, the recall@100 of the users' ANN
# lists against exact search. MARQUEE_GATEWAY_SERVING=remote measures the three-process deployment.
# Last lines (last size, last rate, the live one last): profile=… items=… rps=… p50_ms=… p99_ms=… floor_p99_ms=…
# ann_on_path_pct=… errors=… degraded_pct=… (the live one also ann_recall100=…)
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
cd "$ROOT"
./marquee bench-stack e2e-tests RecommendBenchmark recommend | grep --line-buffered -E "^(loaded|history:|ann lists:|live traffic:|model:|warm-up|items=|profile=|    stage|    slow|    late|    lead-in|    cpu|    redis|    ann|    events|    degraded|\[infra\]|\[marquee\]|\[ERROR\])"
