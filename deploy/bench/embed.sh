#!/usr/bin/env bash
# ./marquee bench embed: T5 items/s, raw DJL forward pass vs the whole pipeline (Kafka -> encode -> Milvus -> Redis)
# at batch sizes 1, 8, 32, 128, on an isolated stack (ports as in ./marquee test). Last line: key=value pairs.
# Env: MARQUEE_MODEL_DIR (default models/tiny-t5; e.g. .marquee/models/t5-small-random, see tools/t5/README.md),
# MARQUEE_DEVICE (auto|cpu|cuda), MARQUEE_BENCH_ITEMS (1024), MARQUEE_BUCKETING (true|false: override the service
# default), MARQUEE_BENCH_MODE (sync: the pre-pipelining consumer path, for comparison), MARQUEE_WRITE_BATCH (rows per
# Milvus upsert), MARQUEE_BENCH_BUCKETING=false (skip the bucketing on/off comparison).
set -euo pipefail
. "$(dirname "${BASH_SOURCE[0]}")/stack.bash"
bench_infra_start
export MARQUEE_BENCH=embed
if [ -n "${MARQUEE_MODEL_DIR:-}" ]; then MARQUEE_MODEL_DIR="$(cd "$MARQUEE_MODEL_DIR" && pwd)"; export MARQUEE_MODEL_DIR; fi
./mvnw -B -q -DskipTests install -pl common,embedding-service -am
./mvnw -B -q -pl embedding-service test -Dtest=EmbedBenchmark -Dsurefire.failIfNoSpecifiedTests=false \
  | grep --line-buffered -E '^(model=|batch|[ 0-9]+ |profile |bucketing |raw_items_per_s=)'
