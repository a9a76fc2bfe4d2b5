#!/usr/bin/env bash
# kfork's fork-churn benchmark (issue 15): M processes of 1000 VMAs on both kernels, fork + exit +
# wait4 at full speed and at a fixed rate, under G1, Parallel and ZGC, each configuration in a JVM of
# its own; writes <out>/churn.md, charts/churn-<size>.png and <size>/<config>.json.
#
#   scripts/churn.sh                          quick: 1e5 live VMAs, 8 configurations, 3 s phases (about 4 min)
#   scripts/churn.sh --full                   1e5, 1e6 and 1e7 live VMAs, 8 s phases (about 30 min)
#   scripts/churn.sh --sizes 1e6 --configs heap-zgc-25,offheap-zgc-25 --seconds 5 --out DIR
#
# Options: --sizes LIST (live VMAs), --configs all|KERNEL-GC-JDK,... (offheap|heap, g1|parallel|zgc,
# 17|25), --seconds S (phase length), --rate OPS (the latency phase's rate; by default 200 at 1e5,
# 100 at 1e6, 40 at 1e7), --vmas V,
# --out DIR (default results/churn-<timestamp>). Environment: JAVA (the launcher), KFORK_JDK17 and
# KFORK_JDK25 (the JDK homes of the children; a missing JDK's configurations are skipped), KFORK_CP.
set -uo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

if [[ "${1:-}" == -h || "${1:-}" == --help ]]; then
  sed -n '2,15p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'; exit 0
fi
ARGS=("$@")
OUT_GIVEN=0
for a in "$@"; do [[ "$a" == --out ]] && OUT_GIVEN=1; done
((OUT_GIVEN)) || ARGS+=(--out "$KFORK_ROOT/results/churn-$(date +%Y%m%d-%H%M%S)")

JAVA="${JAVA:-java}"
if [[ -n "${KFORK_CP:-}" ]]; then
  CP="$KFORK_CP"
else
  ensure_built
  CP="$KFORK_ROOT/bench/target/benchmarks.jar"
fi
# shellcheck disable=SC2207
FLAGS=($(jvm_flags kfork.jvm.flags "$JAVA"))
exec "$JAVA" "${FLAGS[@]}" -Djava.awt.headless=true -cp "$CP" org.kfork.bench.churn.ChurnMain "${ARGS[@]}"
