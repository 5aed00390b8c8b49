# Sourced by ./marquee and the benchmark scripts: which java runs the services.
#
# The services are built for Java 17 and run on the newest JDK of version 23 or later under /usr/lib/jvm when the
# machine has one (this machine image has a Temurin 25 beside the system's 17), else on `java`; MARQUEE_JAVA picks
# another. On 25 the stream consumer used 7 % less CPU per event than on 17 (16.6 vs 17.9 µs, 54.0k vs 50.4k
# events/s back to back) and the gateway can run generational ZGC (docs/benchmarks.md, 2026-12-06).

# Major version of a java binary (17, 25, ...).
java_major() { # java
  "$1" -version 2>&1 | sed -nE '1s/.*version "([0-9]+).*/\1/p'
}

service_java() {
  if [ -n "${MARQUEE_JAVA:-}" ]; then echo "$MARQUEE_JAVA"; return; fi
  local j v best=java bestv=0
  for j in /usr/lib/jvm/*/bin/java; do
    [ -x "$j" ] || continue
    v=$(java_major "$j"); v=${v:-0}
    if [ "$v" -ge 23 ] && [ "$v" -gt "$bestv" ]; then best=$j; bestv=$v; fi
  done
  echo "$best"
}

# Options every service gets on that java: on 23 or later, native access for XGBoost's and Netty's libraries and
# sun.misc.Unsafe for gRPC's Netty, allowed without a warning.
service_java_opts() { # java
  local v; v=$(java_major "$1")
  if [ "${v:-0}" -ge 23 ]; then echo "--enable-native-access=ALL-UNNAMED --sun-misc-unsafe-memory-access=allow"; fi
}
