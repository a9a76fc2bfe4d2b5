#!/usr/bin/env bash
# kfork's benchmark run: every JMH suite, the native anchors beside them, and the report.
#
#   scripts/bench.sh                  quick profile: every suite, short iterations (minutes)
#   scripts/bench.sh --full           publication settings (3 forks, 5x1s warm-up, 5x1s measured)
#   scripts/bench.sh --only REGEX     only the benchmarks whose name matches REGEX (e.g. RbTree, ForkBench)
#   scripts/bench.sh --no-native      skip the native anchors (the report uses reference figures)
#   scripts/bench.sh --list           list the benchmarks and exit
#   scripts/bench.sh --no-churn       skip the fork churn (scripts/churn.sh; quick: 1e5 live VMAs, --full: 1e5-1e7)
#
# The native anchors run before and after the Java suites; the report uses the mean of both passes.
# Writes results/<timestamp>/ (or --out DIR): jmh-result.json, native.jsonl, native-after.jsonl,
# report.md, report.html, charts/*.png, logs/. Ctrl-C stops the run and leaves a report of what
# finished.
# Environment: JAVA (java binary), JAVA_OPTS (extra options for the launcher JVM, e.g.
# -Djmh.ignoreLock=true to run beside another JMH run), KFORK_CP (use this class path instead of benchmarks.jar and do
# not build; for tests).
set -uo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

usage() {
  sed -n '4,8p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//' >&2
  echo "usage: scripts/bench.sh [--full] [--only REGEX] [--no-native] [--no-churn] [--out DIR] [--list]" >&2
  exit 2
}

PROFILE=--quick; ONLY=(); NATIVE=1; CHURN=1; OUT=""; LIST=0
while (($#)); do
  case "$1" in
    --quick|--full) PROFILE="$1" ;;
    --only) [[ $# -ge 2 && -n "$2" ]] || { echo "bench: --only needs a REGEX" >&2; usage; }; ONLY=(--only "$2"); shift ;;
    --no-native) NATIVE=0 ;;
    --no-churn) CHURN=0 ;;
    --out) [[ $# -ge 2 ]] || { echo "bench: --out needs a directory" >&2; usage; }; OUT="$2"; shift ;;
    --list) LIST=1 ;;
    -h|--help) sed -n '2,17p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "bench: unknown option '$1'" >&2; usage ;;
  esac
  shift
done

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
harness() { "$JAVA" "${FLAGS[@]}" "${OPTS[@]}" -Djava.awt.headless=true -cp "$CP" org.kfork.bench.harness.BenchHarness "$@"; }

if ((LIST)); then
  harness --list "${ONLY[@]}"; exit $?
fi
# Check the selection before spending time on the native anchors; no match lists the benchmarks.
harness --list "${ONLY[@]}" > /dev/null || exit $?

[[ -n "$OUT" ]] || OUT="$KFORK_ROOT/results/$(date +%Y%m%d-%H%M%S)"
mkdir -p "$OUT" || exit 1
OUT="$(cd "$OUT" && pwd)"

INTERRUPTED=0
trap 'INTERRUPTED=1' INT TERM

# The sizes of what a fork copies, from kfork's layouts, for the copy anchor (bench/native/forkcopy.c).
SIZES=()
if ((NATIVE)); then
  SPEC="$("$JAVA" "${FLAGS[@]}" -cp "$CP" org.kfork.bench.harness.ForkCopySizes)" && SIZES=(--sizes "$SPEC")
fi

rm -f "$OUT/native-after.jsonl"
if ((NATIVE)); then
  echo "bench: native anchors (bench/native, ${PROFILE#--}), before the Java suites..."
  "$KFORK_ROOT/bench/native/run.sh" "$PROFILE" "${SIZES[@]}" "$OUT/native.jsonl"
else
  rm -f "$OUT/native.jsonl"
  echo "bench: native anchors skipped (--no-native); the report uses reference figures"
fi

STATUS=0
if ((!INTERRUPTED)); then
  harness "$PROFILE" "${ONLY[@]}" --out "$OUT"
  STATUS=$?
fi

# The anchors again, after the suites: on a shared machine the same C code can run 2x slower or
# faster a few minutes later, so the report takes the mean of both passes and shows the drift.
if ((NATIVE)) && ((!INTERRUPTED)) && [[ -f "$OUT/report.md" ]]; then
  echo "bench: native anchors again, after the Java suites..."
  "$KFORK_ROOT/bench/native/run.sh" "$PROFILE" "${SIZES[@]}" "$OUT/native-after.jsonl"
  if ((!INTERRUPTED)); then
    echo
    echo "bench: the summary again, with the mean of both anchor passes (this one is the report's):"
    harness --report "$OUT" || STATUS=1
    echo "bench: report: $OUT/report.md (and report.html, charts/)"
  else
    rm -f "$OUT/native-after.jsonl" # a partial second pass would skew the means
  fi
fi

# The fork churn (issue 15): its own JVMs, one per configuration; not with --only (a subset of suites).
if ((CHURN)) && ((${#ONLY[@]} == 0)) && ((!INTERRUPTED)) && [[ -f "$OUT/report.md" ]]; then
  echo "bench: fork churn (scripts/churn.sh ${PROFILE})..."
  "$JAVA" "${FLAGS[@]}" "${OPTS[@]}" -Djava.awt.headless=true -cp "$CP" org.kfork.bench.churn.ChurnMain "$PROFILE" \
    --out "$OUT/churn" || STATUS=1
  harness --report "$OUT" > /dev/null || STATUS=1
  echo "bench: report with the churn section: $OUT/report.md"
fi

if ((INTERRUPTED)) || [[ ! -f "$OUT/report.md" ]]; then
  # The harness writes a partial report from its shutdown hook; make sure one exists.
  harness --report "$OUT" > /dev/null 2>&1 || true
  echo "bench: interrupted; partial results in $OUT (report: $OUT/report.md)" >&2
  exit 130
fi
exit "$STATUS"
