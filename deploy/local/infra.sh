#!/usr/bin/env bash
# Local infrastructure without Docker: a real Kafka KRaft broker (jars from Maven Central), Redis (apt redis-server)
# and Milvus (the PyPI "milvus" embedded standalone server in a virtualenv), all on 127.0.0.1.
#
#   infra.sh install | start | stop | status | env | clean
#
# State lives in $MARQUEE_STATE_DIR (default <repo>/.marquee): run/ (pid files), logs/, data/, infra.env.
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
MARQUEE_HOME="${MARQUEE_HOME:-$(cd "$HERE/../.." && pwd)}"
STATE="${MARQUEE_STATE_DIR:-$MARQUEE_HOME/.marquee}"
TOOLS="$MARQUEE_HOME/.marquee/tools"   # shared by every state dir: Milvus venv and Kafka classpath
MILVUS_VENV="$TOOLS/venv-milvus"
KAFKA_CLASSPATH="$TOOLS/kafka.classpath"

KAFKA_PORT="${KAFKA_PORT:-9092}"
KAFKA_CONTROLLER_PORT="${KAFKA_CONTROLLER_PORT:-9093}"
# A second listener for fault tests: it advertises KAFKA_GATE_PORT, where a test's TCP gate (FaultGate.toKafka)
# forwards to KAFKA_GATED_PORT, so every connection of a client bootstrapped there goes through the gate.
KAFKA_GATED_PORT="${KAFKA_GATED_PORT:-$((KAFKA_PORT + 2))}"
KAFKA_GATE_PORT="${KAFKA_GATE_PORT:-$((KAFKA_PORT + 3))}"
REDIS_PORT="${REDIS_PORT:-6379}"
MILVUS_PORT="${MILVUS_PORT:-19530}"                       # gRPC + REST (the SDK's URI)
MILVUS_METRICS_PORT="${MILVUS_METRICS_PORT:-9091}"        # /healthz and /metrics
MILVUS_ETCD_PORT="${MILVUS_ETCD_PORT:-2379}"              # embedded etcd, client
MILVUS_ETCD_PEER_PORT="${MILVUS_ETCD_PEER_PORT:-2380}"    # embedded etcd, peer
# The 8 internal gRPC ports (coordinators, nodes, proxy-internal) default to Milvus's own (53100, 19529, 19531, ...)
# and move silently to the next free port when busy; MILVUS_INTERNAL_PORT_BASE=N puts them at N..N+7 instead.
MILVUS_INTERNAL_PORT_BASE="${MILVUS_INTERNAL_PORT_BASE:-}"
START_TIMEOUT="${MARQUEE_INFRA_TIMEOUT:-180}"
MILVUS_VERSION=2.3.5

# Kafka and Milvus are off the /recommend path: BACKGROUND runs them at a lower CPU priority (Redis stays on it)
# shellcheck source=deploy/local/priority.bash
. "$HERE/priority.bash"
background_init

log() { echo "[infra] $*"; }
die() { echo "[infra] ERROR: $*" >&2; exit 1; }
mkdir -p "$STATE/run" "$STATE/logs" "$STATE/data" "$TOOLS"

now_ms() { date +%s%3N; }
since() { local ms=$(( $(now_ms) - $1 )); printf '%d.%02d s' $((ms / 1000)) $(((ms % 1000) / 10)); }
pid_of() { cat "$STATE/run/$1.pid" 2>/dev/null || true; }
pid_alive() { local p; p=$(pid_of "$1"); [ -n "$p" ] && kill -0 "$p" 2>/dev/null; }
port_open() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }
# port_bindable PORT [reuse]: can 127.0.0.1:PORT be bound now? With "reuse" (SO_REUSEADDR, as Kafka and Redis bind)
# only a listening socket prevents it; without, a TIME_WAIT connection left on the port does too.
port_bindable() {
  python3 -c "import socket,sys; s=socket.socket()
if len(sys.argv) > 2: s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(('127.0.0.1', int(sys.argv[1])))" "$@" 2>/dev/null
}
require_free() { # name port...
  local name=$1 p; shift
  for p in "$@"; do
    port_bindable "$p" reuse || die "$name: port $p on 127.0.0.1 is already in use: $(ss -Hltnp "sport = :$p" | head -1)"
  done
}

wait_for() { # name check-command log: wait until ready; on failure show the log, stop what was started, fail
  local name=$1 check=$2 logfile=$3 deadline=$((SECONDS + START_TIMEOUT)) why=
  until eval "$check"; do
    if ! pid_alive "$name"; then why="$name exited during startup"
    elif [ $SECONDS -ge $deadline ]; then why="$name not ready after ${START_TIMEOUT}s"; fi
    if [ -n "$why" ]; then tail -30 "$logfile" >&2 || true; "stop_$name"; die "$why (log: $logfile)"; fi
    sleep 0.25
  done
}

stop_pid() { # name pid signal timeout-seconds: signal, wait, SIGKILL as a last resort
  local name=$1 pid=$2 sig=$3 timeout=$4 deadline
  kill -0 "$pid" 2>/dev/null || return 0
  kill "-$sig" "$pid" 2>/dev/null || true
  deadline=$((SECONDS + timeout))
  while kill -0 "$pid" 2>/dev/null && [ $SECONDS -lt $deadline ]; do sleep 0.25; done
  if kill -0 "$pid" 2>/dev/null; then log "$name (pid $pid) did not stop in ${timeout}s, killing"; kill -9 "$pid" 2>/dev/null || true; fi
}

mvn_cmd() { if [ -x "$MARQUEE_HOME/mvnw" ]; then echo "$MARQUEE_HOME/mvnw"; else echo mvn; fi; }

# ------------------------------------------------------------------------------------------------------------ redis
install_redis() {
  command -v redis-server >/dev/null && return
  log "installing redis-server (apt)"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq && apt-get install -y -qq redis-server >/dev/null
}

start_redis() {
  if pid_alive redis; then log "redis already running (pid $(pid_of redis))"; return; fi
  require_free redis "$REDIS_PORT"
  local t0; t0=$(now_ms)
  rm -f "$STATE/run/redis.pid"
  # kept data (MARQUEE_KEEP_DATA=1, what `./marquee up` does): an append-only file, fsync'd every second; else nothing
  # on disk. What Redis loses anyway is rebuilt from Kafka by the consumers (ReplayMarks).
  local aof=no; [ "${MARQUEE_KEEP_DATA:-0}" = 1 ] && aof=yes
  redis-server --port "$REDIS_PORT" --bind 127.0.0.1 --save '' --appendonly "$aof" --appendfsync everysec --daemonize yes \
    --hash-max-listpack-value 1024 --set-max-intset-entries 8192 --zset-max-listpack-entries 256 \
    --pidfile "$STATE/run/redis.pid" --logfile "$STATE/logs/redis.log" --dir "$STATE/data"
  # with --daemonize the pid file appears a moment after redis-server returns
  local i; for i in $(seq 40); do [ -s "$STATE/run/redis.pid" ] && break; sleep 0.05; done
  wait_for redis "redis-cli -p $REDIS_PORT ping 2>/dev/null | grep -q PONG" "$STATE/logs/redis.log"
  log "redis ready on 127.0.0.1:$REDIS_PORT in $(since "$t0")"
}

stop_redis() {
  pid_alive redis || { rm -f "$STATE/run/redis.pid"; return 0; }
  local pid; pid=$(pid_of redis)
  redis-cli -p "$REDIS_PORT" shutdown nosave >/dev/null 2>&1 || true
  stop_pid redis "$pid" TERM 10
  rm -f "$STATE/run/redis.pid"
  log "stopped redis"
}

# ------------------------------------------------------------------------------------------------------------ kafka
install_kafka() {
  [ -s "$KAFKA_CLASSPATH" ] && return
  log "resolving Kafka broker jars (Maven Central)"
  "$(mvn_cmd)" -q -B -f "$HERE/kafka/pom.xml" dependency:build-classpath -Dmdep.outputFile="$KAFKA_CLASSPATH" \
    >"$STATE/logs/kafka-install.log" 2>&1 || { cat "$STATE/logs/kafka-install.log" >&2; die "resolving the Kafka jars failed"; }
}

start_kafka() {
  if pid_alive kafka; then log "kafka already running (pid $(pid_of kafka))"; return; fi
  require_free kafka "$KAFKA_PORT" "$KAFKA_CONTROLLER_PORT" "$KAFKA_GATED_PORT"
  local dir="$STATE/data/kafka" props="$STATE/data/kafka.properties" cp t0
  t0=$(now_ms)
  cp="$(cat "$KAFKA_CLASSPATH")"
  mkdir -p "$dir"
  cat >"$props" <<PROPS
process.roles=broker,controller
node.id=1
controller.quorum.bootstrap.servers=127.0.0.1:$KAFKA_CONTROLLER_PORT
listeners=PLAINTEXT://127.0.0.1:$KAFKA_PORT,CONTROLLER://127.0.0.1:$KAFKA_CONTROLLER_PORT,GATED://127.0.0.1:$KAFKA_GATED_PORT
advertised.listeners=PLAINTEXT://127.0.0.1:$KAFKA_PORT,GATED://127.0.0.1:$KAFKA_GATE_PORT
controller.listener.names=CONTROLLER
listener.security.protocol.map=CONTROLLER:PLAINTEXT,PLAINTEXT:PLAINTEXT,GATED:PLAINTEXT
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
  if [ -f "$dir/meta.properties" ]; then
    log "kafka: reusing formatted storage (cluster $(sed -n 's/^cluster.id=//p' "$dir/meta.properties"))"
  else
    local id
    id=$(java -cp "$cp" kafka.tools.StorageTool random-uuid 2>/dev/null | tail -1)
    log "kafka: formatting storage in $dir (cluster $id)"
    java -cp "$cp" kafka.tools.StorageTool format -t "$id" -c "$props" --standalone >"$STATE/logs/kafka-format.log" 2>&1 \
      || { cat "$STATE/logs/kafka-format.log" >&2; die "kafka storage format failed"; }
  fi
  nohup "${BACKGROUND[@]}" java -Xmx512m -Xms256m -Dlog4j2.configurationFile="$HERE/kafka/log4j2.properties" -cp "$cp" \
    kafka.Kafka "$props" >"$STATE/logs/kafka.log" 2>&1 &
  echo $! >"$STATE/run/kafka.pid"
  # the broker logs "Kafka Server started" once it is unfenced and its acceptors run
  wait_for kafka "port_open $KAFKA_PORT && grep -q 'Kafka Server started' '$STATE/logs/kafka.log'" "$STATE/logs/kafka.log"
  log "kafka ready on 127.0.0.1:$KAFKA_PORT in $(since "$t0")"
}

stop_kafka() {
  pid_alive kafka || { rm -f "$STATE/run/kafka.pid"; return 0; }
  stop_pid kafka "$(pid_of kafka)" TERM 30
  rm -f "$STATE/run/kafka.pid"
  log "stopped kafka"
}

# ----------------------------------------------------------------------------------------------------------- milvus
install_milvus() {
  [ -x "$MILVUS_VENV/bin/milvus-server" ] && return
  log "installing milvus==$MILVUS_VERSION into $MILVUS_VENV (PyPI)"
  python3 -m venv "$MILVUS_VENV"
  "$MILVUS_VENV/bin/pip" install -q "milvus==$MILVUS_VERSION"
}

# The PyPI launcher (milvus-server) hard-codes the health/metrics port 9091, and test-binds every port without
# SO_REUSEADDR, silently taking the next port when that fails, as it does for ~60 s after a previous Milvus left
# TIME_WAIT connections (Milvus itself, in Go, binds with SO_REUSEADDR). This runs its main() with the metrics port
# given as first argument and test-binds the way Milvus binds; a port really in use still moves (checked after start).
MILVUS_LAUNCHER='import socket, sys, milvus
def try_bind_port(self, port):
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind(("127.0.0.1", port))
        sock.listen()
        return sock
    except OSError:
        sock.close()
        return None
milvus.MilvusServerConfig.try_bind_port = try_bind_port
milvus.default_server.webservice_port = int(sys.argv.pop(1))
sys.argv[0] = "milvus-server"
milvus.main()'

milvus_health_url() { echo "http://127.0.0.1:$MILVUS_METRICS_PORT/healthz"; }
milvus_child() { pgrep -P "$1" -f "/bin/milvus run standalone" | head -1 || true; }

start_milvus() {
  if pid_alive milvus; then log "milvus already running (pid $(pid_of milvus))"; return; fi
  local data="$STATE/data/milvus" extra=() c t0
  t0=$(now_ms)
  if curl -sf "$(milvus_health_url)" >/dev/null 2>&1; then
    die "another Milvus already answers on 127.0.0.1:$MILVUS_METRICS_PORT (set MILVUS_METRICS_PORT, or stop it)"
  fi
  require_free milvus "$MILVUS_PORT" "$MILVUS_METRICS_PORT" "$MILVUS_ETCD_PORT" "$MILVUS_ETCD_PEER_PORT"
  mkdir -p "$data"
  # The embedded etcd ignores etcd.endpoints and listens on 2379/2380 unless given its own config file
  # (Milvus key etcd.config.path, which is not in the launcher's template: set through the environment).
  cat >"$STATE/data/milvus-etcd.yaml" <<ETCD
name: marquee
listen-client-urls: http://127.0.0.1:$MILVUS_ETCD_PORT
advertise-client-urls: http://127.0.0.1:$MILVUS_ETCD_PORT
listen-peer-urls: http://127.0.0.1:$MILVUS_ETCD_PEER_PORT
initial-advertise-peer-urls: http://127.0.0.1:$MILVUS_ETCD_PEER_PORT
initial-cluster: marquee=http://127.0.0.1:$MILVUS_ETCD_PEER_PORT
ETCD
  # every component announces and dials 127.0.0.1 only
  for c in rootCoord proxy queryCoord queryNode indexCoord indexNode dataCoord dataNode; do
    extra+=(--extra-config "$c.ip=127.0.0.1")
  done
  if [ -n "$MILVUS_INTERNAL_PORT_BASE" ]; then
    local i=0
    for c in root-coord proxy-internal query-coord query-node index-coord index-node data-coord data-node; do
      extra+=("--$c-port" $((MILVUS_INTERNAL_PORT_BASE + i))); i=$((i + 1))
    done
  fi
  # Milvus Lite sometimes hangs or panics while its components find each other (seen about 1 start in 8 here):
  # give each attempt 60 s and start over on fresh data, up to 3 attempts. On kept data (MARQUEE_KEEP_DATA=1) the
  # first attempt gets longer: after an unclean end (launcher killed) the new coordinators wait until the old
  # sessions expire in etcd (seen: healthy after 56 s); after a clean `stop` it took 7-9 s.
  local attempt patience=60
  if [ -d "$data/data/etcd.data" ]; then
    patience=150; log "milvus: reusing the data in $data"
  fi
  for attempt in 1 2 3; do
    rm -f "$data/logs/milvus-stderr.log" "$data/logs/milvus-stdout.log"   # a previous run's panic is not this one's
    ETCD_CONFIG_PATH="$STATE/data/milvus-etcd.yaml" setsid nohup "${BACKGROUND[@]}" "$MILVUS_VENV/bin/python" -c "$MILVUS_LAUNCHER" \
      "$MILVUS_METRICS_PORT" --data "$data" --proxy-port "$MILVUS_PORT" --etcd-port "$MILVUS_ETCD_PORT" "${extra[@]}" \
      >"$STATE/logs/milvus.log" 2>&1 &
    echo $! >"$STATE/run/milvus.pid"
    background_session "$(cat "$STATE/run/milvus.pid")"
    if milvus_healthy_within "$patience" "$data"; then break; fi
    [ "$attempt" -lt 3 ] || { tail -30 "$data/logs/milvus-stderr.log" >&2 || true; stop_milvus; die "milvus did not start (3 attempts)"; }
    log "milvus attempt $attempt did not become healthy, starting over on fresh data"
    stop_milvus
    rm -rf "$data"; mkdir -p "$data"; patience=60
  done
  local child actual
  child=$(milvus_child "$(pid_of milvus)")
  [ -n "$child" ] && echo "$child" >"$STATE/run/milvus-server.pid"
  actual=$(awk '/^proxy:/{p=1} p && /^  port:/{print $2; exit}' "$data/configs/milvus.yaml" 2>/dev/null || true)
  if [ "$actual" != "$MILVUS_PORT" ]; then
    stop_milvus; die "milvus took port $actual instead of $MILVUS_PORT (was $MILVUS_PORT busy while it started?)"
  fi
  actual=$(tr '\0' '\n' <"/proc/$child/environ" 2>/dev/null | sed -n 's/^METRICS_PORT=//p')
  if [ "$actual" != "$MILVUS_METRICS_PORT" ]; then
    stop_milvus; die "milvus took metrics port '$actual' instead of $MILVUS_METRICS_PORT"
  fi
  wait_for milvus "port_open $MILVUS_PORT" "$STATE/logs/milvus.log"
  log "milvus ready on 127.0.0.1:$MILVUS_PORT (health :$MILVUS_METRICS_PORT, etcd :$MILVUS_ETCD_PORT) in $(since "$t0")"
}

milvus_healthy_within() { # seconds data-dir
  local deadline=$((SECONDS + $1))
  while [ $SECONDS -lt $deadline ]; do
    curl -sf -m 5 "$(milvus_health_url)" >/dev/null 2>&1 && return 0
    pid_alive milvus || return 1
    grep -qs '^panic' "$2/logs/milvus-stderr.log" && return 1
    sleep 0.25
  done
  return 1
}

stop_milvus() {
  # SIGINT only: the launcher then stops its milvus child itself (terminate, then kill after 1 s: Milvus 2.3's own
  # graceful stop hangs). Other signals orphan the child. The launcher ignores SIGINT until its handler is installed
  # (it starts as a background job), so SIGINT is repeated until it exits.
  local pid deadline data="$STATE/data/milvus" c
  pid=$(pid_of milvus)
  if [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null; then
    deadline=$((SECONDS + 60))
    while kill -0 "$pid" 2>/dev/null && [ $SECONDS -lt $deadline ]; do
      kill -INT "$pid" 2>/dev/null || true
      local i; for i in $(seq 20); do kill -0 "$pid" 2>/dev/null || break; sleep 0.25; done
    done
    if kill -0 "$pid" 2>/dev/null; then log "milvus launcher (pid $pid) did not stop in 60s, killing"; kill -9 "$pid" 2>/dev/null || true; fi
    log "stopped milvus"
  fi
  # a milvus server whose launcher died (killed) survives it: end the one of this state dir, by its pid
  for c in $(cat "$STATE/run/milvus-server.pid" 2>/dev/null) $(pgrep -fx "$data/bin/milvus run standalone" || true); do
    if kill -0 "$c" 2>/dev/null && grep -qs "$data/bin/milvus" "/proc/$c/cmdline"; then
      log "killing orphaned milvus server (pid $c)"; kill -9 "$c" 2>/dev/null || true
    fi
  done
  rm -f "$STATE/run/milvus.pid" "$STATE/run/milvus-server.pid"
}

# ------------------------------------------------------------------------------------------------------------ other
write_env() {
  cat >"$STATE/infra.env" <<ENV
KAFKA_BOOTSTRAP=127.0.0.1:$KAFKA_PORT
KAFKA_GATED_PORT=$KAFKA_GATED_PORT
KAFKA_GATE_PORT=$KAFKA_GATE_PORT
REDIS_HOST=127.0.0.1
REDIS_PORT=$REDIS_PORT
MILVUS_URI=http://127.0.0.1:$MILVUS_PORT
MILVUS_METRICS_URL=http://127.0.0.1:$MILVUS_METRICS_PORT/metrics
ENV
}

status_line() { # name ready-check address
  if ! pid_alive "$1"; then echo "[infra] $1: stopped"
  elif eval "$2"; then echo "[infra] $1: running (pid $(pid_of "$1")) $3, ready"
  else echo "[infra] $1: running (pid $(pid_of "$1")) $3, NOT answering"; fi
}

case "${1:-}" in
  install) install_redis; install_milvus; install_kafka ;;
  start)
    install_redis; install_milvus; install_kafka
    t0=$(now_ms)
    # Without MARQUEE_KEEP_DATA=1 (tests, benchmarks) every start begins from empty stores. With it (`./marquee up`)
    # Kafka, Redis (append-only file) and Milvus keep their data; Milvus Lite 2.3 may have to start over on fresh data
    # (below), and then the embedding service rebuilds it from the catalog topic.
    if [ "${MARQUEE_KEEP_DATA:-0}" != 1 ] && ! pid_alive kafka && ! pid_alive milvus; then rm -rf "$STATE/data"; fi
    mkdir -p "$STATE/data"
    start_redis; start_kafka
    # MARQUEE_WITHOUT_MILVUS=1: Kafka and Redis only (the events benchmark: Milvus would take CPU from what it measures)
    [ "${MARQUEE_WITHOUT_MILVUS:-0}" = 1 ] || start_milvus
    write_env
    log "infrastructure up in $(since "$t0") (state: $STATE)" ;;
  stop) stop_milvus; stop_kafka; stop_redis ;;
  status)
    status_line kafka "port_open $KAFKA_PORT" "127.0.0.1:$KAFKA_PORT"
    status_line redis "redis-cli -p $REDIS_PORT ping 2>/dev/null | grep -q PONG" "127.0.0.1:$REDIS_PORT"
    status_line milvus "curl -sf $(milvus_health_url) >/dev/null 2>&1" "127.0.0.1:$MILVUS_PORT" ;;
  env) write_env; cat "$STATE/infra.env" ;;
  clean) "$0" stop; rm -rf "$STATE/data" "$STATE/infra.env"; log "removed $STATE/data" ;;
  *) sed -n '2,7p' "$0" | sed 's/^# \{0,1\}//'; exit 2 ;;
esac
