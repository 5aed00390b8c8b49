# Sourced by ./marquee and deploy/local/infra.sh: serving first.
#
# On a small box every process of the stack shares the same cores, and a burst of background work (the stream
# consumer's batch, Kafka's fetches, Milvus' index and refresh searches, a T5 batch) delays the /recommend requests in
# flight. The processes off the /recommend path run in the kernel's idle scheduling class (SCHED_IDLE, `chrt --idle`;
# MARQUEE_BACKGROUND_IDLE, default 1, 0 turns it off) and at niceness MARQUEE_BACKGROUND_NICE (default 10; 0 turns it
# off): a request thread that wakes up takes a core from a background process at once instead of waiting for its time
# slice, and otherwise nothing changes (the background gets every idle cycle). On the path: the gateway, Redis, and the
# retrieval and ranking services when the gateway calls them over HTTP (MARQUEE_GATEWAY_SERVING=remote).
# Niceness alone, held stack, 100k items, 200 requests/s for 30 s, four alternated pairs with the background at 10
# against 0: p99 7.6-8.6 ms against 8.7-9.2 (docs/benchmarks.md, 2026-12-06 (3)). The idle class on top, held stack,
# 10k items, 200/s, four alternated pairs against niceness alone: p99 9.7-11.4 ms against 11.4-19.7, requests over
# 10 ms 35-58 against 58-180 of 4,000 (2026-12-06 (6)). Neither needs a privilege.
#
# Milvus runs in a session of its own (setsid); where the kernel groups the processes of a session (autogroup,
# /proc/sys/kernel/sched_autogroup_enabled), a group takes an equal share of the cores whatever the scheduling of its
# processes, so background_session gives that group the lowest weight too.

# Sets BACKGROUND: the command prefix ("chrt --idle 0 nice -n N", a part of it, or nothing) for a process off the
# serving path. The idle class is left out where chrt is missing or refuses it.
background_init() {
  local n=${MARQUEE_BACKGROUND_NICE:-10} idle=${MARQUEE_BACKGROUND_IDLE:-1}
  if ! [[ "$n" =~ ^[0-9]+$ ]] || [ "$n" -gt 19 ]; then
    echo "MARQUEE_BACKGROUND_NICE must be a number from 0 to 19, got '$n'" >&2; return 2
  fi
  if [ "$idle" != 0 ] && [ "$idle" != 1 ]; then
    echo "MARQUEE_BACKGROUND_IDLE must be 0 or 1, got '$idle'" >&2; return 2
  fi
  BACKGROUND=()
  if [ "$idle" = 1 ] && command -v chrt >/dev/null 2>&1 && chrt --idle 0 true 2>/dev/null; then
    BACKGROUND=(chrt --idle 0)
  fi
  [ "$n" -eq 0 ] || BACKGROUND+=(nice -n "$n")
}

# For a background process started in a session of its own: the lowest weight for the session's scheduling group
# (autogroup niceness 19), where the kernel has such groups. Raising it needs no privilege; a refusal changes nothing.
# Only for a session other than the caller's (which holds the serving path).
background_session() { # pid
  [ ${#BACKGROUND[@]} -gt 0 ] || return 0
  [ -w "/proc/$1/autogroup" ] || return 0
  [ "$(session_of "$1")" != "$(session_of $$)" ] || return 0
  echo 19 2>/dev/null >"/proc/$1/autogroup" || true
}

session_of() { # pid
  sed -E 's/^.*\) [A-Za-z] [0-9]+ [0-9]+ ([0-9]+) .*/\1/' "/proc/$1/stat" 2>/dev/null
}

# Whether the named service serves /recommend requests as they come (gateway, retrieval, ranking).
on_serving_path() { # service name
  case "$1" in
    gateway) return 0 ;;
    retrieval | ranking) [ "${MARQUEE_GATEWAY_SERVING:-in-process}" = remote ] ;;
    *) return 1 ;;
  esac
}
