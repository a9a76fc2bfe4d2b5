#!/usr/bin/env bash
# Shared helpers for kfork's scripts. Source it; do not run it.

KFORK_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"

# java_feature [JAVA]: the feature release of a java binary (17, 25, ...).
java_feature() {
  local java="${1:-java}"
  "$java" -XshowSettings:properties -version 2>&1 \
    | awk -F'= ' '/java.specification.version/ { print $2; exit }'
}

# jvm_flags PREFIX [JAVA]: the flags from jvm-flags.properties under PREFIX (kfork.jvm.flags or
# kfork.jvm.test.flags) that apply to that java's feature release. Same rule as org.kfork.JvmFlags.
jvm_flags() {
  local prefix="$1" feature
  feature="$(java_feature "${2:-java}")"
  awk -v prefix="$prefix" -v feature="$feature" '
    /^[[:space:]]*#/ || !/=/ { next }
    {
      key = substr($0, 1, index($0, "=") - 1); val = substr($0, index($0, "=") + 1)
      if (key == prefix ".all") { all = all " " val }
      else if (index(key, prefix ".jdk") == 1) {
        rel = substr(key, length(prefix) + 5) + 0
        if (rel <= feature) { extra[rel] = val }
      }
    }
    END {
      out = all
      for (r = 0; r <= feature; r++) if (r in extra) out = out " " extra[r]
      gsub(/^ +| +$/, "", out); print out
    }' "$KFORK_ROOT/jvm-flags.properties"
}

# ensure_built: build the project (skipping tests) when the benchmark jar is missing or older
# than the sources.
ensure_built() {
  local jar="$KFORK_ROOT/bench/target/benchmarks.jar"
  if [[ ! -f "$jar" ]] || [[ -n "$(find "$KFORK_ROOT" -name '*.java' -path '*/src/main/*' -newer "$jar" -print -quit)" ]] \
     || [[ "$KFORK_ROOT/jvm-flags.properties" -nt "$jar" ]]; then
    echo "kfork: building (mvn -q -DskipTests package)..." >&2
    (cd "$KFORK_ROOT" && mvn -q -B -DskipTests package) >&2 || { echo "kfork: build failed" >&2; exit 1; }
  fi
}
