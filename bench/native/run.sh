#!/usr/bin/env bash
# Runs kfork's native anchors and writes their JSON lines to OUTFILE (or stdout).
# Usage: bench/native/run.sh [--quick|--full|--smoke] [OUTFILE]
# Builds first (build.sh). Each line is {"suite","op","n","ns_per_op","samples"}; anchors that could
# not be built appear as {"suite","status":"skipped","reason"} lines instead.
set -uo pipefail
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
MODE=--quick
OUTFILE=/dev/stdout
for a in "$@"; do
  case "$a" in
    --quick|--full|--smoke) MODE="$a" ;;
    -*) echo "usage: $0 [--quick|--full|--smoke] [OUTFILE]" >&2; exit 2 ;;
    *) OUTFILE="$a" ;;
  esac
done
"$HERE/build.sh"
{
  grep '"skipped"' "$HERE/build/status.jsonl" || true
} > "$OUTFILE"
for b in rbtree percpu mem forkvma; do
  if [[ -x "$HERE/build/$b" ]] && ! grep -q "\"suite\":\"${b/forkvma/fork}\",\"status\":\"skipped\"" "$HERE/build/status.jsonl"; then
    echo "native: running $b $MODE" >&2
    "$HERE/build/$b" "$MODE" >> "$OUTFILE" || echo "native: $b failed (exit $?)" >&2
  fi
done
