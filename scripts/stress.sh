#!/usr/bin/env bash
# stress.sh [--minutes N] [--seed S] [--out DIR] [--threads T]: the reliability run (docs/reliability.md).
# The differential runs, the system-call fuzzer and the fork storms, on both kernels with checked mode
# on, in one JVM, for N minutes (default 1); writes DIR/report.md (default target/stress) and exits 0
# when nothing was found, 1 when something was, 3 when a step hung.
# A report's finding reproduces in one command: stress.sh --scenario SEED [--repeat R], or
# stress.sh --fuzz SEED --sessions N [--repeat R] (sessions 0..N-1 of that fuzzer seed).
# Environment: JAVA (java binary), JAVA_OPTS (extra JVM options), KFORK_CP (class path; no build).
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
JAVA="${JAVA:-java}"
if [[ -n "${KFORK_CP:-}" ]]; then
  CP="$KFORK_CP"
else
  ensure_built
  CP="$KFORK_ROOT/bench/target/benchmarks.jar"
fi
# checked mode (KASAN-like) is part of the test flags; the run refuses to start without it
# shellcheck disable=SC2046,SC2086  # the flags and JAVA_OPTS are meant to split into words
exec "$JAVA" $(jvm_flags kfork.jvm.flags "$JAVA") -Dkfork.checked=true ${JAVA_OPTS:-} -cp "$CP" \
  org.kfork.stress.StressMain "$@"
