#!/usr/bin/env bash
# Profiles benchmarks with async-profiler (tools.profiler:async-profiler:4.1 from the local Maven
# repository) through JMH's async profiler integration, plus JMH's GC profiler (-prof gc).
#
#   scripts/profile.sh BENCHMARK_REGEX [--event cpu|alloc|itimer|wall|lock] [--out DIR]
#                      [--short] [-- EXTRA_JMH_ARGS...]
#
# Writes the flame graphs (HTML) and jmh.txt (with the gc.alloc.rate.norm figures) to
# results/profile-<timestamp>/ (or --out DIR) and prints their paths. --short runs one 1 s
# iteration (a smoke run); the default is 2 warm-ups and 3 measurements of 1 s.
# When the kernel refuses perf events, the cpu event falls back to itimer, and says so.
# Environment: JAVA, JAVA_OPTS (extra options for the launcher JVM), KFORK_CP (class path
# instead of benchmarks.jar, no build; for tests).
set -uo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

usage() {
  echo "usage: scripts/profile.sh BENCHMARK_REGEX [--event cpu|alloc|itimer|wall|lock] [--out DIR] [--short] [-- JMH_ARGS...]" >&2
  exit 2
}

REGEX=""; EVENT=cpu; OUT=""; SHORT=0; EXTRA=()
while (($#)); do
  case "$1" in
    --event) [[ $# -ge 2 ]] || usage
      case "$2" in cpu|alloc|itimer|wall|lock) EVENT="$2" ;; *) echo "profile: unknown event '$2'" >&2; usage ;; esac
      shift ;;
    --out) [[ $# -ge 2 ]] || usage; OUT="$2"; shift ;;
    --short) SHORT=1 ;;
    -h|--help) sed -n '2,13p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'; exit 0 ;;
    --) shift; EXTRA=("$@"); break ;;
    -*) echo "profile: unknown option '$1'" >&2; usage ;;
    *) [[ -z "$REGEX" ]] || { echo "profile: one BENCHMARK_REGEX only" >&2; usage; }; REGEX="$1" ;;
  esac
  shift
done
[[ -n "$REGEX" ]] || { echo "profile: BENCHMARK_REGEX is missing" >&2; usage; }

JAVA="${JAVA:-java}"
if [[ -n "${KFORK_CP:-}" ]]; then
  CP="$KFORK_CP"
else
  ensure_built
  CP="$KFORK_ROOT/bench/target/benchmarks.jar"
fi
# shellcheck disable=SC2207
FLAGS=($(jvm_flags kfork.jvm.flags "$JAVA"))
# shellcheck disable=SC2206
OPTS=(${JAVA_OPTS:-})

# The benchmarks the regex selects; none is an error that lists them all.
MATCHES="$("$JAVA" "${FLAGS[@]}" "${OPTS[@]}" -cp "$CP" org.kfork.bench.harness.BenchHarness --list --only "$REGEX")" || exit $?
echo "profile: benchmarks:"; sed 's/^/  /' <<< "$MATCHES"

# async-profiler's native library, from the Maven artifact (fetched into ~/.m2 when absent).
AP_VERSION=4.1
M2="${MAVEN_REPO:-$HOME/.m2/repository}"
AP_JAR="$M2/tools/profiler/async-profiler/$AP_VERSION/async-profiler-$AP_VERSION.jar"
if [[ ! -f "$AP_JAR" ]]; then
  echo "profile: fetching tools.profiler:async-profiler:$AP_VERSION into the local Maven repository..." >&2
  mvn -q -B dependency:get -Dartifact="tools.profiler:async-profiler:$AP_VERSION" >&2 \
    || { echo "profile: could not fetch async-profiler $AP_VERSION (is Maven online?)" >&2; exit 1; }
fi
case "$(uname -m)" in
  x86_64|amd64) AP_ARCH=linux-x64 ;;
  aarch64|arm64) AP_ARCH=linux-arm64 ;;
  *) echo "profile: async-profiler has no library for $(uname -m)" >&2; exit 1 ;;
esac
AP_DIR="$KFORK_ROOT/bench/target/async-profiler-$AP_VERSION/$AP_ARCH"
AP_LIB="$AP_DIR/libasyncProfiler.so"
if [[ ! -f "$AP_LIB" || "$AP_JAR" -nt "$AP_LIB" ]]; then
  mkdir -p "$AP_DIR"
  (cd "$AP_DIR" && "${JAR:-jar}" xf "$AP_JAR" "$AP_ARCH/libasyncProfiler.so" 2>/dev/null \
     && mv -f "$AP_ARCH/libasyncProfiler.so" . && rmdir "$AP_ARCH") \
    || unzip -o -q -j "$AP_JAR" "$AP_ARCH/libasyncProfiler.so" -d "$AP_DIR" \
    || { echo "profile: could not extract $AP_ARCH/libasyncProfiler.so from $AP_JAR" >&2; exit 1; }
fi

# cpu uses perf events; where the kernel refuses them (perf_event_paranoid, containers, some
# hypervisors) fall back to itimer. Probe with a trivial JVM so the real run is not wasted.
if [[ "$EVENT" == cpu ]]; then
  PROBE="$(mktemp -d)"
  PROBE_OUT="$("$JAVA" -agentpath:"$AP_LIB"=start,event=cpu,file="$PROBE/p.txt",collapsed -version 2>&1)"
  PROBE_RC=$?
  rm -rf "$PROBE"
  # KFORK_PROFILE_NO_PERF=1 acts as if the kernel refused (tests the fallback on hosts that allow it).
  [[ -z "${KFORK_PROFILE_NO_PERF:-}" ]] || PROBE_OUT="Perf events unavailable (KFORK_PROFILE_NO_PERF is set)"
  # Only a refusal counts: "Kernel symbols are unavailable ... perf_event_paranoid" is a harmless
  # warning (user-space frames still come through) and must not trigger the fallback.
  REFUSED='perf events unavailable|no access to perf events|perf_event_open[^|]*(fail|denied|not permitted|error)'
  if ((PROBE_RC != 0)) || grep -qiE "$REFUSED" <<< "$PROBE_OUT"; then
    echo "profile: perf events are refused here ($(grep -iE "$REFUSED|error" <<< "$PROBE_OUT" | head -1));" \
         "falling back to --event itimer" >&2
    EVENT=itimer
  fi
fi

[[ -n "$OUT" ]] || OUT="$KFORK_ROOT/results/profile-$(date +%Y%m%d-%H%M%S)"
mkdir -p "$OUT" || exit 1
OUT="$(cd "$OUT" && pwd)"

if ((SHORT)); then
  ITER=(-f 1 -wi 0 -i 1 -r 1s)
else
  ITER=(-f 1 -wi 2 -w 1s -i 3 -r 1s)
fi
echo "profile: event $EVENT; output in $OUT"
# JmhMain (the jar's main) is JMH's command line that gives each fork kfork's flags for its JDK.
"$JAVA" "${FLAGS[@]}" "${OPTS[@]}" -cp "$CP" org.kfork.bench.harness.JmhMain "$REGEX" \
  -bm avgt -tu ns "${ITER[@]}" \
  -prof "async:libPath=$AP_LIB;output=flamegraph;event=$EVENT;dir=$OUT" \
  -prof gc \
  -rf json -rff "$OUT/jmh-result.json" \
  "${EXTRA[@]}" 2>&1 | tee "$OUT/jmh.txt"
STATUS=${PIPESTATUS[0]}

echo
echo "profile: GC figures (-prof gc):"
grep -E '^[^ ]+:gc\.alloc\.rate\.norm ' "$OUT/jmh.txt" | sed 's/^/  /' || echo "  (none)"
FLAMES="$(find "$OUT" -name '*.html' | sort)"
if [[ -z "$FLAMES" ]]; then
  echo "profile: no flame graph was written; see $OUT/jmh.txt" >&2
  exit 1
fi
echo "profile: flame graphs:"
sed 's/^/  /' <<< "$FLAMES"
echo "profile: JMH output: $OUT/jmh.txt; JSON: $OUT/jmh-result.json"
exit "$STATUS"
