# Sourced by ./marquee and deploy/local/infra.sh: serving first.
#
# On a small box every process of the stack shares the same cores, and a burst of background work (the stream
# consumer's batch, Kafka's fetches, Milvus' index and refresh searches, a T5 batch) delays the /recommend requests in
# flight. The processes off the /recommend path run at a lower CPU priority (niceness MARQUEE_BACKGROUND_NICE, default
# 10; 0 turns it off): when the cores are contended the serving path goes first, and otherwise nothing changes. On the
# path: the gateway, Redis, and the retrieval and ranking services when the gateway calls them over HTTP
# (MARQUEE_GATEWAY_SERVING=remote). Held stack, 100k items, 200 requests/s for 30 s, four alternated pairs with the
# background at 10 against 0: p99 7.6-8.6 ms against 8.7-9.2, requests over 10 ms 28-35 against 41-48
# (docs/benchmarks.md, 2026-12-06 (3)). Raising niceness needs no privilege.

# Sets BACKGROUND: the command prefix ("nice -n N", or nothing) for a process off the serving path.
background_init() {
  local n=${MARQUEE_BACKGROUND_NICE:-10}
  if ! [[ "$n" =~ ^[0-9]+$ ]] || [ "$n" -gt 19 ]; then
    echo "MARQUEE_BACKGROUND_NICE must be a number from 0 to 19, got '$n'" >&2; return 2
  fi
  BACKGROUND=()
  [ "$n" -eq 0 ] || BACKGROUND=(nice -n "$n")
}

# Whether the named service serves /recommend requests as they come (gateway, retrieval, ranking).
on_serving_path() { # service name
  case "$1" in
    gateway) return 0 ;;
    retrieval | ranking) [ "${MARQUEE_GATEWAY_SERVING:-in-process}" = remote ] ;;
    *) return 1 ;;
  esac
}
