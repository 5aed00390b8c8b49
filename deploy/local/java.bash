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

# Sets SERVICE_JAVA (the java binary), SERVICE_JAVA_MAJOR and SERVICE_JAVA_OPTS (on 23 or later: native access for
# XGBoost's and Netty's libraries and sun.misc.Unsafe for gRPC's Netty, allowed without a warning). Looks once per
# shell: each look starts every JDK it finds.
service_java_init() {
  [ -n "${SERVICE_JAVA:-}" ] && return
  local j v
  SERVICE_JAVA=java; SERVICE_JAVA_MAJOR=0
  if [ -n "${MARQUEE_JAVA:-}" ]; then
    SERVICE_JAVA=$MARQUEE_JAVA; SERVICE_JAVA_MAJOR=$(java_major "$MARQUEE_JAVA")
  else
    for j in /usr/lib/jvm/*/bin/java; do
      [ -x "$j" ] || continue
      v=$(java_major "$j")
      if [ "${v:-0}" -ge 23 ] && [ "$v" -gt "$SERVICE_JAVA_MAJOR" ]; then SERVICE_JAVA=$j; SERVICE_JAVA_MAJOR=$v; fi
    done
    [ "$SERVICE_JAVA" = java ] && SERVICE_JAVA_MAJOR=$(java_major java)
  fi
  SERVICE_JAVA_MAJOR=${SERVICE_JAVA_MAJOR:-0}
  SERVICE_JAVA_OPTS=""
  if [ "$SERVICE_JAVA_MAJOR" -ge 23 ]; then
    SERVICE_JAVA_OPTS="--enable-native-access=ALL-UNNAMED --sun-misc-unsafe-memory-access=allow"
  fi
}
