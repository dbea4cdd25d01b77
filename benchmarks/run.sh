#!/usr/bin/env bash
# Pinwheel benchmarks: finds a JDK >= 21 like ../pinwheel does, builds the benchmark jar when it is missing or
# older than a source or pom, and runs
#   benchmarks/run.sh jmh [JMH args]          JMH (dev.pinwheel.benchmarks.Bench: forks get the jvm-flags argfiles)
#                                             e.g. jmh FanoutBenchmark -f 1 -wi 2 -i 3 -w 2s -r 3s -prof gc
#   benchmarks/run.sh fanout-probe [args]     end-to-end fanout probe (server in a child JVM), --help for options
#   benchmarks/run.sh capacity-probe [args]   idle sessions with heartbeats: server RSS / live heap per session
#   benchmarks/run.sh storm-probe [args]      K sessions IDENTIFY at once: time until all READY, p50/p99
#   benchmarks/run.sh chat-probe [args]       G guilds x M sessions x R msg/s: delivered events/s, p50/p99
#   benchmarks/run.sh presence-probe [args]   one big guild, users changing status: deliveries/s and server CPU with
#                                             lazy guilds off and on (same run), op 14 to SYNC p99 at 100k members
#   benchmarks/run.sh peer-probe [args]       the fanout workload against Pinwheel, uWebSockets.js and NATS in one
#                                             run (installs the peers first: npm, apt-get), Pinwheel/peer ratios
#   benchmarks/run.sh rest-probe [args]      REST edge latency: GET /api/v10/gateway vs a minimal Netty HTTP server
#                                             (the floor, own JVM), POST -> MESSAGE_CREATE at a gateway client
#   benchmarks/run.sh abuse-probe [args]      issue 10's attacks against a node at its real limits while a normal
#                                             client chats: its p99/errors per attack, recovery, lost messages
#   benchmarks/run.sh cassandra-probe [args]  the Cassandra store vs the raw driver (same statements), hot channels,
#                                             the embedded store beside them (starts a local Cassandra if no --cassandra)
#   benchmarks/run.sh cluster-hop-probe [args] a typed command's round trip to a shard of this node vs of another
#                                             node over the Aeron link (two nodes in one JVM), p50/p99
#   benchmarks/run.sh link-floor-probe [args] the link's channel between two nodes of one host: UDP with the link's
#                                             epoll wait vs IPC polled with backoffs, round trips and idle CPU
#   benchmarks/run.sh cluster-probe [args]    issue 12: N nodes (child JVMs) on this box, S idle sessions over them in one
#                                             guild (a client JVM per node): held with heartbeats, time to last
#                                             delivery, the hop vs Aeron's round trip, CPU per delivery vs one node
#   benchmarks/run.sh build                   build the jar only
# Run from anywhere; results of the probe go to ./bench-results (the working directory).
# PINWHEEL_BENCH_JAVA_OPTS adds JVM flags to the JMH host / probe client JVM.
set -euo pipefail
BENCH_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ROOT="$(cd "$BENCH_DIR/.." && pwd)"
JAR="$BENCH_DIR/target/pinwheel-benchmarks.jar"
FLAGS="$ROOT/jvm-flags/profiles"

java_major() { # prints the feature version of the java binary $1, or 0
  "$1" -XshowSettings:properties -version 2>&1 | awk -F' = ' '/java.specification.version/ {print $2; exit}' \
    | awk -F. '{ if ($1 == "1") print $2; else print $1 }' || echo 0
}

find_jdk() { # sets JAVA_HOME to a JDK >= 21: JAVA_HOME first, then the installed JVMs (newest), then java on PATH
  local c best="" best_v=0 v
  if [ -n "${JAVA_HOME:-}" ] && [ -x "$JAVA_HOME/bin/javac" ]; then
    v=$(java_major "$JAVA_HOME/bin/java"); if [ "${v:-0}" -ge 21 ]; then return 0; fi
  fi
  for c in /usr/lib/jvm/* /usr/local/lib/jvm/* /opt/java/* /opt/jdk* "$HOME"/.sdkman/candidates/java/*; do
    [ -x "$c/bin/javac" ] || continue
    v=$(java_major "$c/bin/java")
    if [ "${v:-0}" -ge 21 ] && [ "${v:-0}" -gt "$best_v" ]; then best="$c"; best_v=$v; fi
  done
  if [ -z "$best" ] && command -v javac >/dev/null 2>&1; then
    c=$(dirname "$(dirname "$(readlink -f "$(command -v javac)")")")
    v=$(java_major "$c/bin/java"); if [ "${v:-0}" -ge 21 ]; then best="$c"; best_v=$v; fi
  fi
  if [ -z "$best" ]; then
    echo "run.sh: no JDK >= 21 found (checked JAVA_HOME, /usr/lib/jvm, PATH)" >&2
    exit 1
  fi
  export JAVA_HOME="$best"
}

needs_build() { # true when the jar is missing or older than any source or pom of the project
  [ -f "$JAR" ] || return 0
  [ -n "$(cd "$ROOT" && find . -path ./.git -prune -o -path '*/target' -prune -o \
        \( -name '*.java' -o -name 'pom.xml' -o -path '*/src/main/resources/*' \) -newer "$JAR" -print -quit)" ]
}

build() { # a failed build (another module mid-edit) falls back to the existing jar, with a warning
  # `package`, not `install`: the reactor (-am) builds every module the jar needs from this tree and the shade plugin
  # takes them from their target/ directories, so nothing is written to ~/.m2 (which other checkouts build against).
  echo "run.sh: building the benchmark jar (JDK $JAVA_HOME)..." >&2
  if ! (cd "$ROOT" && ./mvnw -q -B -pl benchmarks -am package -DskipTests); then
    if [ -f "$JAR" ] && [ "${1:-}" != strict ]; then
      echo "run.sh: build failed; running the existing, older $JAR" >&2
      return 0
    fi
    echo "run.sh: build failed" >&2; exit 1
  fi
  [ -f "$JAR" ] || { echo "run.sh: build produced no $JAR" >&2; exit 1; }
}

module_flags() { # module access (+ JDK 23+ extras) as @argfiles, absolute
  local v
  v=$(java_major "$JAVA_HOME/bin/java")
  printf '%s\n' "@$FLAGS/modules.args"
  if [ "$v" -ge 23 ]; then printf '%s\n' "@$FLAGS/jdk23.args"; fi
  if [ "$v" -ge 25 ]; then printf '%s\n' "@$FLAGS/jdk25.args"; fi
}

UWS_PKG="@trufflesuite/uws-js-unofficial"
UWS_VERSION="20.30.0-unofficial.0"
PEERS_INSTALL="$BENCH_DIR/target/peers"

install_peers() { # uWebSockets.js (exact version, npm, under target/ which git ignores) and nats-server (apt)
  local have
  command -v node >/dev/null 2>&1 || { echo "run.sh: node is needed for the uWebSockets.js peer" >&2; exit 1; }
  have=$(node -p "try { require('$PEERS_INSTALL/uws/node_modules/$UWS_PKG/package.json').version } catch (e) { '' }" 2>/dev/null || true)
  if [ "$have" != "$UWS_VERSION" ]; then
    echo "run.sh: npm install $UWS_PKG@$UWS_VERSION into $PEERS_INSTALL/uws" >&2
    mkdir -p "$PEERS_INSTALL/uws"
    timeout 300 npm install --prefix "$PEERS_INSTALL/uws" --no-audit --no-fund --no-save "$UWS_PKG@$UWS_VERSION" >&2
  fi
  if ! command -v nats-server >/dev/null 2>&1; then
    echo "run.sh: installing nats-server (apt-get)" >&2
    local sudo=""; [ "$(id -u)" -ne 0 ] && sudo="sudo"
    timeout 300 $sudo apt-get update -qq >&2 && timeout 300 $sudo apt-get install -y -qq nats-server >&2
  fi
}

cmd="${1:-}"; [ $# -gt 0 ] && shift
find_jdk
case "$cmd" in
  jmh)
    if needs_build; then build; fi
    mapfile -t flags < <(module_flags)
    # shellcheck disable=SC2086
    exec "$JAVA_HOME/bin/java" "${flags[@]}" -Dpinwheel.flags.dir="$FLAGS" ${PINWHEEL_BENCH_JAVA_OPTS:-} \
      -cp "$JAR" dev.pinwheel.benchmarks.Bench "$@" ;;
  recovery-probe)
    if needs_build; then build; fi
    mapfile -t flags < <(module_flags)
    exec "$JAVA_HOME/bin/java" "${flags[@]}" -Dpinwheel.flags.dir="$FLAGS" -Xmx2g \
      -cp "$JAR" dev.pinwheel.benchmarks.storage.RecoveryProbe "$@" ;;
  cassandra-probe)
    if needs_build; then build; fi
    mapfile -t flags < <(module_flags)
    cd "$ROOT" # LocalCassandra finds storage-cassandra/bin/cassandra-local from here
    exec "$JAVA_HOME/bin/java" "${flags[@]}" -Dpinwheel.flags.dir="$FLAGS" -Xmx2g \
      -cp "$JAR" dev.pinwheel.benchmarks.storage.CassandraStoreProbe "$@" ;;
  cluster-hop-probe)
    if needs_build; then build; fi
    mapfile -t flags < <(module_flags)
    exec "$JAVA_HOME/bin/java" "${flags[@]}" -Dpinwheel.flags.dir="$FLAGS" \
      -cp "$JAR" dev.pinwheel.benchmarks.cluster.ClusterHopProbe "$@" ;;
  link-floor-probe)
    if needs_build; then build; fi
    mapfile -t flags < <(module_flags)
    exec "$JAVA_HOME/bin/java" "${flags[@]}" -Dpinwheel.flags.dir="$FLAGS" \
      -cp "$JAR" dev.pinwheel.cluster.LinkFloorProbe "$@" ;;
  cluster-probe)
    if needs_build; then build; fi
    mapfile -t flags < <(module_flags)
    # The probe itself only posts and reads its children's reports: the nodes and load clients are child JVMs.
    # shellcheck disable=SC2086
    exec "$JAVA_HOME/bin/java" "${flags[@]}" -Dpinwheel.flags.dir="$FLAGS" -Xms128m -Xmx512m \
      ${PINWHEEL_BENCH_JAVA_OPTS:-} -cp "$JAR" dev.pinwheel.benchmarks.cluster.ClusterProbe "$@" ;;
  voice-probe)
    if needs_build; then build; fi
    mapfile -t flags < <(module_flags)
    exec "$JAVA_HOME/bin/java" "${flags[@]}" -Dpinwheel.flags.dir="$FLAGS" \
      -cp "$JAR" dev.pinwheel.benchmarks.voice.VoiceLoopbackProbe "$@" ;;
  fanout-probe)
    if needs_build; then build; fi
    mapfile -t flags < <(module_flags)
    # The client holds one socket per session: a modest heap, a collector without long pauses.
    # shellcheck disable=SC2086
    exec "$JAVA_HOME/bin/java" "${flags[@]}" -Dpinwheel.flags.dir="$FLAGS" -Xms512m -Xmx2g -XX:+UseZGC \
      ${PINWHEEL_BENCH_JAVA_OPTS:-} -cp "$JAR" dev.pinwheel.benchmarks.FanoutProbe "$@" ;;
  abuse-probe)
    if needs_build; then build; fi
    mapfile -t flags < <(module_flags)
    # A small client: 4 sessions, a few hundred attack sockets on virtual threads.
    # shellcheck disable=SC2086
    exec "$JAVA_HOME/bin/java" "${flags[@]}" -Dpinwheel.flags.dir="$FLAGS" -Xms256m -Xmx1g -XX:+UseZGC \
      ${PINWHEEL_BENCH_JAVA_OPTS:-} -cp "$JAR" dev.pinwheel.benchmarks.AbuseProbe "$@" ;;
  rest-probe)
    if needs_build; then build; fi
    mapfile -t flags < <(module_flags)
    # One keep-alive connection per server and one gateway session: a small client.
    # shellcheck disable=SC2086
    exec "$JAVA_HOME/bin/java" "${flags[@]}" -Dpinwheel.flags.dir="$FLAGS" -Xms256m -Xmx1g -XX:+UseZGC \
      ${PINWHEEL_BENCH_JAVA_OPTS:-} -cp "$JAR" dev.pinwheel.benchmarks.RestEdgeProbe "$@" ;;
  capacity-probe|storm-probe|chat-probe|presence-probe)
    if needs_build; then build; fi
    mapfile -t flags < <(module_flags)
    case "$cmd" in
      capacity-probe) main=dev.pinwheel.benchmarks.CapacityProbe ;;
      presence-probe) main=dev.pinwheel.benchmarks.PresenceProbe ;;
      storm-probe) main=dev.pinwheel.benchmarks.StormProbe ;;
      *) main=dev.pinwheel.benchmarks.ChatProbe ;;
    esac
    # shellcheck disable=SC2086
    exec "$JAVA_HOME/bin/java" "${flags[@]}" -Dpinwheel.flags.dir="$FLAGS" -Xms512m -Xmx2g -XX:+UseZGC \
      ${PINWHEEL_BENCH_JAVA_OPTS:-} -cp "$JAR" "$main" "$@" ;;
  peer-probe)
    install_peers
    if needs_build; then build; fi
    mapfile -t flags < <(module_flags)
    # shellcheck disable=SC2086
    exec "$JAVA_HOME/bin/java" "${flags[@]}" -Dpinwheel.flags.dir="$FLAGS" -Xms512m -Xmx2g -XX:+UseZGC \
      ${PINWHEEL_BENCH_JAVA_OPTS:-} -cp "$JAR" dev.pinwheel.benchmarks.PeerFanoutProbe \
      --peers-dir "$BENCH_DIR/peers" --uws-modules "$PEERS_INSTALL/uws/node_modules" "$@" ;;
  build)
    build strict ;;
  *)
    echo "usage: benchmarks/run.sh jmh [JMH args] | fanout-probe [--sessions N --messages M --rate R ...] | capacity-probe [--sessions N --hold S ...] | storm-probe [--sessions K ...] | chat-probe [--guilds G --members M --rate R ...] | presence-probe [--sessions N --lookers L --sync-members K ...] | recovery-probe [--messages N,... --server N --rounds R --class-cache none,cds,aot] | voice-probe ROOMS MEMBERS SECONDS MODE LOOPS | peer-probe [--sessions N --messages M --rate R --burst B --systems pinwheel,uws,nats] | rest-probe [--requests N --pause-us P --posts M ...] | abuse-probe [--rate R --phases all|edge,cap,... --window S] | cluster-probe [--nodes N --sessions S --hold H ...] | build" >&2
    exit 2 ;;
esac
