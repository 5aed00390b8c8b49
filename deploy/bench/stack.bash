# Sourced by the benchmark scripts: the isolated stack's state dir and ports (those of ./marquee test), and a trap
# that stops it again. Then `bench_infra_start [env assignments]` starts it and loads its addresses.
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
cd "$ROOT"
export MARQUEE_HOME="$ROOT" MARQUEE_STATE_DIR="$ROOT/.marquee/bench"
export KAFKA_PORT=29092 KAFKA_CONTROLLER_PORT=29093 REDIS_PORT=26379 MILVUS_PORT=29530 MILVUS_ETCD_PORT=22379 \
  MILVUS_ETCD_PEER_PORT=22380 MILVUS_METRICS_PORT=29091 MILVUS_INTERNAL_PORT_BASE=29531
trap '"$ROOT/deploy/local/infra.sh" stop >/dev/null 2>&1 || true' EXIT

bench_infra_start() {
  "$ROOT/deploy/local/infra.sh" install
  "$ROOT/deploy/local/infra.sh" clean >/dev/null 2>&1 || true
  env "$@" "$ROOT/deploy/local/infra.sh" start
  set -a; . "$MARQUEE_STATE_DIR/infra.env"; set +a
}
