#!/usr/bin/env bash
# Fuzzes every running service's OpenAPI (schemathesis): each operation with generated valid and invalid input, checking
# that no response is a 5xx and that every response matches its own schema. Talks only to the URLs of urls.env
# (127.0.0.1). Usage: tools/fuzz/run.sh [--examples N] [--seed S]; ./marquee fuzz runs it with 100 examples per
# operation, ./marquee test with 15. Last line: key=value figures. Exit status 1 on any failure.
# Not fuzzed, with reason: POST /models/train and /collections/reindex (long jobs that take no input; their own tests
# cover them) and the simulator (its POSTs start simulated traffic runs).
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
STATE="${MARQUEE_STATE_DIR:-$ROOT/.marquee}"
URLS="${MARQUEE_URLS:-$STATE/urls.env}"
examples=100 seed=1
while [ $# -gt 0 ]; do
  case "$1" in
    --examples) examples=$2; shift 2 ;;
    --seed) seed=$2; shift 2 ;;
    *) echo "usage: tools/fuzz/run.sh [--examples N] [--seed S]" >&2; exit 2 ;;
  esac
done
[ -f "$URLS" ] || { echo "fuzz: no $URLS: start the stack first (./marquee up)" >&2; exit 2; }
VENV="$ROOT/.marquee/fuzz-venv"
if [ ! -x "$VENV/bin/schemathesis" ]; then
  echo "fuzz: creating $VENV (schemathesis from PyPI)"
  python3 -m venv "$VENV"
  "$VENV/bin/pip" install -q -r "$ROOT/tools/fuzz/requirements.txt"
fi
key=$(sed -n 's/^MARQUEE_API_KEY=//p' "$URLS" | tail -1)
headers=()
[ -n "$key" ] && headers=(-H "X-API-Key: $key")
out="$STATE/fuzz"
mkdir -p "$out"
failed=0 operations=0 cases=0 services=""
for service in gateway ingest embedding retrieval ranking; do
  var="$(echo "$service" | tr '[:lower:]' '[:upper:]')_URL"
  url=$(sed -n "s/^$var=//p" "$URLS" | tail -1)
  [ -n "$url" ] || continue
  log="$out/$service.log"
  rc=0
  # from the state folder: schemathesis keeps its cache of found cases in .schemathesis/ of the working directory
  (cd "$out" && "$VENV/bin/schemathesis" run "$url/v3/api-docs" "${headers[@]}" --no-color -w 1 --seed "$seed" \
    -n "$examples" --phases examples,coverage,fuzzing --request-timeout 30 \
    --checks not_a_server_error,response_schema_conformance \
    --exclude-path /models/train --exclude-path /collections/reindex) >"$log" 2>&1 || rc=$?
  generated=$(sed -n 's/^ *\([0-9][0-9]*\) generated.*/\1/p' "$log" | tail -1)
  tested=$(sed -n 's/^ *Tested: *\([0-9][0-9]*\).*/\1/p' "$log" | tail -1)
  problems=$(sed -n '/^Failures:/,/^$/p' "$log" | sed -n 's/.*: \([0-9][0-9]*\)$/\1/p' | awk '{s+=$1} END {print s+0}')
  echo "fuzz: $service: ${tested:-0} operations, ${generated:-0} cases, $problems failures (log: $log)"
  if [ "$problems" -gt 0 ] || { [ $rc -ne 0 ] && [ -z "$generated" ]; }; then
    # what the log shows of the failures, if anything (no match must not end the run before its summary line)
    sed -n '/= FAILURES =/,/= SUMMARY =/p' "$log" | grep -E '^_{5,}|^- ST|^\[[0-9]{3}\]|curl ' | head -40 || true
  fi
  failed=$((failed + problems))
  # schemathesis could not even start (no OpenAPI document, service down): that is a failure too, not 0 cases passed
  if [ $rc -ne 0 ] && [ -z "$generated" ]; then failed=$((failed + 1)); fi
  operations=$((operations + ${tested:-0}))
  cases=$((cases + ${generated:-0}))
  services="$services${services:+,}$service"
done
echo "services=$services operations=$operations cases=$cases failures=$failed examples=$examples seed=$seed"
[ "$failed" -eq 0 ]
