#!/usr/bin/env bash
# ./marquee bench events: the stream consumer on real Kafka + Redis (isolated stack, the ports of ./marquee test):
# events/s of one consumer thread, Redis bytes per user after a 100k-user run (with the breakdown by structure) and
# event->Redis freshness p50/p99 at 5,000 events/s (steady; and right after the catch-up, while the label backlog it
# left is drained). Last line: events_per_s=… freshness_p50_ms=… freshness_p99_ms=… bytes_per_user=…
# freshness_catchup_p99_ms=…   Env: MARQUEE_BENCH_USERS (100000), MARQUEE_BENCH_EVENTS_PER_USER (10), MARQUEE_BENCH_ITEMS
# (10000), MARQUEE_BENCH_RATE (5000), MARQUEE_BENCH_SECONDS (15).
set -euo pipefail
. "$(dirname "${BASH_SOURCE[0]}")/stack.bash"
bench_infra_start MARQUEE_WITHOUT_MILVUS=1
export MARQUEE_BENCH=events
./mvnw -B -q -DskipTests install -pl common,ingest-service -am
# the consumer runs on the java the ingest service would run on (deploy/local/java.bash)
. "$ROOT/deploy/local/java.bash"
service_java_init
./mvnw -B -q -pl ingest-service test -Dtest=EventsBenchmark -Dsurefire.failIfNoSpecifiedTests=false \
  -Djvm="$(command -v "$SERVICE_JAVA")" "-Dmarquee.test.jvm.options=$SERVICE_JAVA_OPTS" \
  | grep --line-buffered -E '^(published|throughput|redis used_memory|  structure|  batch stage|  live windows|  live run|  live redis|    \+|  cpu|  redis |warm-up|freshness|label backlog|events_per_s=)'
