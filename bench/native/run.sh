#!/usr/bin/env bash
# Runs kfork's native anchors and writes their JSON lines to OUTFILE (or stdout).
# Usage: bench/native/run.sh [--quick|--full|--smoke] [--sizes SPEC] [OUTFILE]
# Builds first (build.sh). Each line is {"suite","op","n","ns_per_op","samples"[,"detail"]}; anchors
# that could not be built or run appear as {"suite","status":"skipped","reason"} lines instead.
#
# forkcopy needs the sizes of the structures a fork copies, from kfork's layouts:
# --sizes SPEC (what org.kfork.bench.harness.ForkCopySizes prints; scripts/bench.sh passes it).
# Without it, this asks ForkCopySizes itself, on the class path KFORK_CP or
# bench/target/benchmarks.jar, with JAVA (default java); when neither exists, forkcopy is skipped.
#
# KFORK_NATIVE_ONLY="clone forkcopy" runs only those programs (to repeat an anchor; tests use it).
#
# Quick profile, on the development machines: about 5 s in all, of which clone 0.7 s and forkcopy
# 0.1 s; --full about 4x that.
set -uo pipefail
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
MODE=--quick
OUTFILE=/dev/stdout
SIZES=""
usage() { echo "usage: $0 [--quick|--full|--smoke] [--sizes SPEC] [OUTFILE]" >&2; exit 2; }
while (($#)); do
  case "$1" in
    --quick|--full|--smoke) MODE="$1" ;;
    --sizes) [[ $# -ge 2 && -n "$2" ]] || usage; SIZES="$2"; shift ;;
    -*) usage ;;
    *) OUTFILE="$1" ;;
  esac
  shift
done

skip() { # suite reason
  printf '{"suite":"%s","status":"skipped","reason":"%s"}\n' "$1" "$2" >> "$OUTFILE"
  echo "native: $1 skipped: $2" >&2
}

"$HERE/build.sh"
{
  grep '"skipped"' "$HERE/build/status.jsonl" || true
} > "$OUTFILE"

if [[ -z "$SIZES" ]]; then
  CP="${KFORK_CP:-$HERE/../target/benchmarks.jar}"
  if [[ -n "${KFORK_CP:-}" || -f "$CP" ]]; then
    SIZES="$("${JAVA:-java}" -cp "$CP" org.kfork.bench.harness.ForkCopySizes 2>/dev/null)" || SIZES=""
  fi
fi

# program:suite (the suite its build status is recorded under)
for pair in rbtree:rbtree percpu:percpu mem:mem forkvma:fork clone:clone forkcopy:forkcopy; do
  b="${pair%%:*}" suite="${pair#*:}"
  [[ -x "$HERE/build/$b" ]] || continue
  [[ -z "${KFORK_NATIVE_ONLY:-}" || " $KFORK_NATIVE_ONLY " == *" $b "* ]] || continue
  grep -q "\"suite\":\"$suite\",\"status\":\"skipped\"" "$HERE/build/status.jsonl" && continue
  args=("$MODE")
  if [[ "$b" == forkcopy ]]; then
    if [[ -z "$SIZES" ]]; then
      skip forkcopy "no struct sizes: pass --sizes, or build bench/target/benchmarks.jar"
      continue
    fi
    args+=(--sizes "$SIZES")
  fi
  echo "native: running $b $MODE" >&2
  "$HERE/build/$b" "${args[@]}" >> "$OUTFILE" || echo "native: $b failed (exit $?)" >&2
done
