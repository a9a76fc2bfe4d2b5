#!/usr/bin/env bash
# Builds kfork's native anchors into bench/native/build/ with gcc -O2.
#
# The rb-tree anchor needs the BSD <sys/tree.h> macros from Debian's libbsd-dev. When the header is
# missing, this installs the package with apt-get if it can (root and apt-get present); otherwise it
# says so and skips that anchor. Without gcc, nothing is built and it says so.
#
# Writes build/status.jsonl: one {"suite":..,"status":"built"|"skipped","reason":..} line per anchor,
# which run.sh copies into the results so the report can say what was not measured.
# Exit status: 0 even when anchors are skipped (the report falls back to reference figures).
# KFORK_NO_APT=1 forbids the apt-get step (tests use it).
set -uo pipefail
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
OUT="$HERE/build"
mkdir -p "$OUT"
STATUS="$OUT/status.jsonl"
: > "$STATUS"

status() { # suite status reason
  printf '{"suite":"%s","status":"%s","reason":"%s"}\n' "$1" "$2" "$3" >> "$STATUS"
  [[ "$2" == built ]] || echo "native: $1 skipped: $3" >&2
}

CC="${CC:-gcc}"
if ! command -v "$CC" >/dev/null 2>&1; then
  for s in rbtree percpu mem fork clone forkcopy; do status "$s" skipped "gcc not found"; done
  exit 0
fi
CFLAGS=(-O2 -Wall -Wextra -std=gnu11)

have_tree_h() { [[ -f /usr/include/bsd/sys/tree.h ]]; }

if ! have_tree_h; then
  if [[ -z "${KFORK_NO_APT:-}" && "$(id -u)" == 0 ]] && command -v apt-get >/dev/null 2>&1; then
    echo "native: installing libbsd-dev for <sys/tree.h> (apt-get)..." >&2
    { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq libbsd-dev; } >&2 \
      || echo "native: apt-get could not install libbsd-dev" >&2
  fi
fi

up_to_date() { # binary source: newer than its source and every header
  local h
  [[ -x "$1" && "$1" -nt "$2" ]] || return 1
  for h in "$HERE"/*.h; do [[ "$1" -nt "$h" ]] || return 1; done
}

build() { # name source [extra flags...]
  local name="$1" src="$2"; shift 2
  if up_to_date "$OUT/$name" "$HERE/$src" || "$CC" "${CFLAGS[@]}" "$@" -o "$OUT/$name" "$HERE/$src"; then
    return 0
  fi
  return 1
}

if have_tree_h; then
  if build rbtree rbtree.c; then status rbtree built ""; else status rbtree skipped "compile failed"; fi
else
  status rbtree skipped "libbsd-dev (BSD <sys/tree.h>) is not installed and could not be installed"
fi
if build percpu percpu.c -pthread; then status percpu built ""; else status percpu skipped "compile failed"; fi
if build mem mem.c; then status mem built ""; else status mem skipped "compile failed"; fi
if build forkvma forkvma.c; then status fork built ""; else status fork skipped "compile failed"; fi
if build clone clone.c -pthread; then status clone built ""; else status clone skipped "compile failed"; fi
if build forkcopy forkcopy.c; then status forkcopy built ""; else status forkcopy skipped "compile failed"; fi
exit 0
