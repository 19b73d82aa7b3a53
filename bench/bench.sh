#!/usr/bin/env bash
# One command from a clean checkout: builds the bench jar (and the modules it needs), then runs it.
#   bench/bench.sh quick     quick profile (about 36 min on 2 cores), writes docs/benchmarks/quick/*.json,
#                            docs/benchmarks.md, docs/numbers-core.md and the SVG charts
#   bench/bench.sh full      full profile into docs/benchmarks/full/
#   bench/bench.sh report --in docs/benchmarks/quick    re-render the report from committed JSON only
#   bench/bench.sh jmh MapOps.getHit -p impl=linemap,chm -prof gc      any single piece (see usage)
set -euo pipefail
cd "$(dirname "$0")/.."
if [ -z "${JAVA_HOME:-}" ] && [ -d /usr/lib/jvm/temurin-25-jdk-amd64 ]; then
  export JAVA_HOME=/usr/lib/jvm/temurin-25-jdk-amd64
fi
JAVA="${JAVA_HOME:+$JAVA_HOME/bin/}java"
if [ ! -f bench/target/linemap-bench.jar ] || [ "${BENCH_REBUILD:-1}" = 1 ]; then
  # package, not install: the reactor (-am) hands the sibling jars over, so ~/.m2 stays untouched.
  mvn -B -q -pl bench -am package -DskipTests
fi
exec "$JAVA" -jar bench/target/linemap-bench.jar "$@"
