#!/usr/bin/env bash
# Local infrastructure without Docker: a real Kafka KRaft broker (jars from Maven Central), Redis (apt redis-server)
# and Milvus (the PyPI "milvus" embedded standalone server in a virtualenv). Everything binds to 127.0.0.1.
#
#   infra.sh install | start | stop | status | env | clean
#
# State lives in $MARQUEE_STATE_DIR (default <repo>/.marquee): run/ (pid files), logs/, data/, infra.env.
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
MARQUEE_HOME="${MARQUEE_HOME:-$(cd "$HERE/../.." && pwd)}"
STATE="${MARQUEE_STATE_DIR:-$MARQUEE_HOME/.marquee}"
TOOLS="$MARQUEE_HOME/.marquee/tools"   # shared by every state dir: venv and classpath
KAFKA_PORT="${KAFKA_PORT:-9092}"
KAFKA_CONTROLLER_PORT="${KAFKA_CONTROLLER_PORT:-9093}"
REDIS_PORT="${REDIS_PORT:-6379}"
MILVUS_PORT="${MILVUS_PORT:-19530}"
MILVUS_ETCD_PORT="${MILVUS_ETCD_PORT:-2379}"
MILVUS_HEALTH_URL="http://127.0.0.1:9091/healthz"   # fixed by Milvus 2.3
START_TIMEOUT="${MARQUEE_INFRA_TIMEOUT:-180}"
MILVUS_VERSION=2.3.5

log() { echo "[infra] $*"; }
die() { echo "[infra] ERROR: $*" >&2; exit 1; }
mkdir -p "$STATE/run" "$STATE/logs" "$STATE/data" "$TOOLS"

pid_alive() { [ -f "$STATE/run/$1.pid" ] && kill -0 "$(cat "$STATE/run/$1.pid")" 2>/dev/null; }
port_open() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

wait_for() { # name check-command log [failure-check-command]
  local name=$1 check=$2 logfile=$3 failed=${4:-false} deadline=$((SECONDS + START_TIMEOUT))
  until eval "$check"; do
    if ! pid_alive "$name" || eval "$failed"; then tail -30 "$logfile" >&2 || true; die "$name failed during startup"; fi
    if [ $SECONDS -ge $deadline ]; then tail -30 "$logfile" >&2 || true; die "$name not ready after ${START_TIMEOUT}s"; fi
    sleep 0.5
  done
}

mvn_cmd() { if [ -x "$MARQUEE_HOME/mvnw" ]; then echo "$MARQUEE_HOME/mvnw"; else echo mvn; fi; }

# ---------------------------------------------------------------------------------------------------------- install
install_redis() {
  command -v redis-server >/dev/null && return
  log "installing redis-server (apt)"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq && apt-get install -y -qq redis-server >/dev/null
}

install_milvus() {
  local venv="$TOOLS/venv-milvus"
  [ -x "$venv/bin/milvus-server" ] && return
  log "installing milvus==$MILVUS_VERSION into $venv (PyPI)"
  python3 -m venv "$venv"
  "$venv/bin/pip" install -q "milvus==$MILVUS_VERSION"
}

install_kafka() {
  [ -s "$TOOLS/kafka.classpath" ] && return
  log "resolving Kafka broker jars (Maven Central)"
  "$(mvn_cmd)" -q -B -f "$HERE/kafka/pom.xml" dependency:build-classpath -Dmdep.outputFile="$TOOLS/kafka.classpath"
}

# ------------------------------------------------------------------------------------------------------------ kafka
start_kafka() {
  if pid_alive kafka; then log "kafka already running"; return; fi
  local dir="$STATE/data/kafka" props="$STATE/data/kafka.properties" cp
  cp="$(cat "$TOOLS/kafka.classpath")"
  mkdir -p "$dir"
  cat >"$props" <<PROPS
process.roles=broker,controller
node.id=1
controller.quorum.bootstrap.servers=127.0.0.1:$KAFKA_CONTROLLER_PORT
listeners=PLAINTEXT://127.0.0.1:$KAFKA_PORT,CONTROLLER://127.0.0.1:$KAFKA_CONTROLLER_PORT
advertised.listeners=PLAINTEXT://127.0.0.1:$KAFKA_PORT
controller.listener.names=CONTROLLER
listener.security.protocol.map=CONTROLLER:PLAINTEXT,PLAINTEXT:PLAINTEXT
inter.broker.listener.name=PLAINTEXT
log.dirs=$dir
num.partitions=4
auto.create.topics.enable=true
offsets.topic.replication.factor=1
transaction.state.log.replication.factor=1
transaction.state.log.min.isr=1
share.coordinator.state.topic.replication.factor=1
share.coordinator.state.topic.min.isr=1
group.initial.rebalance.delay.ms=0
PROPS
  if [ ! -f "$dir/meta.properties" ]; then
    local id
    id=$(java -cp "$cp" kafka.tools.StorageTool random-uuid 2>/dev/null | tail -1)
    java -cp "$cp" kafka.tools.StorageTool format -t "$id" -c "$props" --standalone >"$STATE/logs/kafka-format.log" 2>&1 \
      || { cat "$STATE/logs/kafka-format.log" >&2; die "kafka storage format failed"; }
  fi
  nohup java -Xmx512m -Xms256m -Dlog4j2.configurationFile="$HERE/kafka/log4j2.properties" -cp "$cp" \
    kafka.Kafka "$props" >"$STATE/logs/kafka.log" 2>&1 &
  echo $! >"$STATE/run/kafka.pid"
  wait_for kafka "port_open $KAFKA_PORT" "$STATE/logs/kafka.log"
  log "kafka ready on 127.0.0.1:$KAFKA_PORT"
}

# ------------------------------------------------------------------------------------------------------------ redis
start_redis() {
  if pid_alive redis; then log "redis already running"; return; fi
  redis-server --port "$REDIS_PORT" --bind 127.0.0.1 --save '' --appendonly no --daemonize yes \
    --pidfile "$STATE/run/redis.pid" --logfile "$STATE/logs/redis.log" --dir "$STATE/data"
  wait_for redis "redis-cli -p $REDIS_PORT ping 2>/dev/null | grep -q PONG" "$STATE/logs/redis.log"
  log "redis ready on 127.0.0.1:$REDIS_PORT"
}

# ----------------------------------------------------------------------------------------------------------- milvus
start_milvus() {
  if pid_alive milvus; then log "milvus already running"; return; fi
  if curl -sf "$MILVUS_HEALTH_URL" >/dev/null 2>&1; then
    die "another Milvus already answers on 127.0.0.1:9091 (./marquee down, or stop it) - Milvus 2.3 cannot move that port"
  fi
  local data="$STATE/data/milvus" extra=() c
  if port_open "$MILVUS_PORT"; then die "port $MILVUS_PORT is taken: Milvus would silently move to another one"; fi
  # Milvus Lite binds without SO_REUSEADDR and silently takes the next port when the bind fails, which it does for
  # ~60 s after a previous Milvus closed connections on it (TIME_WAIT): wait until the port can really be bound.
  local waited=0
  until python3 -c "import socket,sys; s=socket.socket(); s.bind(('127.0.0.1', int(sys.argv[1])))" "$MILVUS_PORT" \
      2>/dev/null; do
    [ $waited -lt 120 ] || die "port $MILVUS_PORT cannot be bound (TIME_WAIT?) after 120 s"
    [ $waited -gt 0 ] || log "waiting for port $MILVUS_PORT to be released (TIME_WAIT from a previous Milvus)"
    sleep 2; waited=$((waited + 2))
  done
  mkdir -p "$data"
  # every component announces and dials 127.0.0.1 only
  for c in rootCoord proxy queryCoord queryNode indexCoord indexNode dataCoord dataNode; do
    extra+=(--extra-config "$c.ip=127.0.0.1")
  done
  # Milvus Lite sometimes hangs or panics while its components find each other (seen about 1 start in 8 here):
  # give each attempt 60 s and start over on fresh data, up to 3 attempts.
  local attempt
  for attempt in 1 2 3; do
    setsid nohup "$TOOLS/venv-milvus/bin/milvus-server" --data "$data" --proxy-port "$MILVUS_PORT" \
      --etcd-port "$MILVUS_ETCD_PORT" "${extra[@]}" >"$STATE/logs/milvus.log" 2>&1 &
    echo $! >"$STATE/run/milvus.pid"
    if milvus_healthy_within 60 "$data"; then break; fi
    [ "$attempt" -lt 3 ] || { tail -30 "$STATE/logs/milvus.log" >&2; die "milvus did not start (3 attempts)"; }
    log "milvus attempt $attempt did not become healthy, starting over on fresh data"
    stop_milvus
    rm -rf "$data"; mkdir -p "$data"
  done
  local actual
  actual=$(awk '/^proxy:/{p=1} p && /^  port:/{print $2; exit}' "$data/configs/milvus.yaml")
  if [ "$actual" != "$MILVUS_PORT" ]; then
    stop_milvus
    die "milvus took port $actual instead of $MILVUS_PORT (was $MILVUS_PORT busy while it started?)"
  fi
  wait_for milvus "port_open $MILVUS_PORT" "$STATE/logs/milvus.log"
  log "milvus ready on 127.0.0.1:$MILVUS_PORT"
}

milvus_healthy_within() { # seconds data-dir
  local deadline=$((SECONDS + $1))
  while [ $SECONDS -lt $deadline ]; do
    curl -sf "$MILVUS_HEALTH_URL" >/dev/null 2>&1 && return 0
    pid_alive milvus || return 1
    grep -qs '^panic' "$2/logs/milvus-stderr.log" && return 1
    sleep 0.5
  done
  return 1
}

# ------------------------------------------------------------------------------------------------------------- stop
stop_one() { # name signal timeout-seconds
  local name=$1 sig=$2 timeout=$3 pid
  [ -f "$STATE/run/$name.pid" ] || return 0
  pid=$(cat "$STATE/run/$name.pid")
  if kill -0 "$pid" 2>/dev/null; then
    kill "-$sig" "$pid" 2>/dev/null || true
    local deadline=$((SECONDS + timeout))
    while kill -0 "$pid" 2>/dev/null && [ $SECONDS -lt $deadline ]; do sleep 0.5; done
    if kill -0 "$pid" 2>/dev/null; then log "$name did not stop in ${timeout}s, killing"; kill -9 "$pid" 2>/dev/null || true; fi
    log "stopped $name"
  fi
  rm -f "$STATE/run/$name.pid"
}

stop_milvus() {
  # SIGINT only: the launcher then stops its milvus child cleanly (other signals orphan it)
  local pid
  pid=$(cat "$STATE/run/milvus.pid" 2>/dev/null || true)
  stop_one milvus INT 60
  if [ -n "$pid" ]; then pkill -9 -f "$STATE/data/milvus/bin/milvus" 2>/dev/null || true; fi
}

write_env() {
  cat >"$STATE/infra.env" <<ENV
KAFKA_BOOTSTRAP=127.0.0.1:$KAFKA_PORT
REDIS_HOST=127.0.0.1
REDIS_PORT=$REDIS_PORT
MILVUS_URI=http://127.0.0.1:$MILVUS_PORT
ENV
}

status_line() { if pid_alive "$1"; then echo "[infra] $1: running (pid $(cat "$STATE/run/$1.pid")) $2"; else echo "[infra] $1: stopped"; fi; }

case "${1:-}" in
  install) install_redis; install_milvus; install_kafka ;;
  start)
    install_redis; install_milvus; install_kafka
    t0=$SECONDS
    # The local stack is ephemeral: Redis keeps nothing on disk, and Milvus Lite 2.3 does not reliably restart on
    # old data, so every start begins from empty stores (set MARQUEE_KEEP_DATA=1 to keep Kafka and Milvus data).
    if [ "${MARQUEE_KEEP_DATA:-0}" != 1 ] && ! pid_alive kafka && ! pid_alive milvus; then rm -rf "$STATE/data"; fi
    mkdir -p "$STATE/data"
    start_redis; start_kafka; start_milvus; write_env
    log "infrastructure up in $((SECONDS - t0)) s (state: $STATE)" ;;
  stop) stop_milvus; stop_one kafka TERM 30; stop_one redis TERM 10 ;;
  status)
    status_line kafka "127.0.0.1:$KAFKA_PORT"; status_line redis "127.0.0.1:$REDIS_PORT"
    status_line milvus "127.0.0.1:$MILVUS_PORT" ;;
  env) write_env; cat "$STATE/infra.env" ;;
  clean) "$0" stop; rm -rf "$STATE/data" "$STATE/infra.env"; log "removed $STATE/data" ;;
  *) sed -n '2,7p' "$0" | sed 's/^# \{0,1\}//'; exit 2 ;;
esac
