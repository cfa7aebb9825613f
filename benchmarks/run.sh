#!/usr/bin/env bash
# Builds the benchmarks (optimized, as shipped) and prints the comparison table for BENCHMARKS.md.
#   benchmarks/run.sh              5 interleaved repetitions, medians
#   benchmarks/run.sh --smoke      one short repetition (CI: proves they run, measures nothing)
set -euo pipefail
cd "$(dirname "$0")/.."
repetitions=5
min_time=0.5
if [ "${1:-}" = "--smoke" ]; then repetitions=1; min_time=0.01; fi

scripts/install-deps.sh
launcher=()
if command -v ccache >/dev/null; then launcher=(-DCMAKE_CXX_COMPILER_LAUNCHER=ccache); fi
cmake -S . -B build -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo -DASIO_CONSOLE_BUILD_BENCHMARKS=ON "${launcher[@]}" >/dev/null
cmake --build build --target recorder_benchmark publisher_benchmark console_benchmark >/dev/null

out=$(mktemp)
trap 'rm -f "$out"' EXIT
for benchmark in recorder_benchmark publisher_benchmark console_benchmark; do
  echo "### $benchmark"
  echo
  build/benchmarks/$benchmark --benchmark_repetitions="$repetitions" --benchmark_min_time="$min_time" \
    --benchmark_enable_random_interleaving=true --benchmark_format=json --benchmark_out="$out" \
    --benchmark_out_format=json >/dev/null
  python3 benchmarks/table.py "$out"
done
