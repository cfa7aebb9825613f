#!/usr/bin/env bash
# Builds the benchmarks (optimized, as shipped) and prints every table of BENCHMARKS.md:
# micro-benchmarks (Google Benchmark, plain and recorded in the same run, interleaved), callgrind
# instruction counts per resume and spawn, and whole processes side by side (whole_process.sh).
#   benchmarks/run.sh              5 interleaved repetitions, medians; about 20 minutes
#   benchmarks/run.sh --smoke      one short repetition of each (CI: proves they run, measures nothing)
set -euo pipefail
cd "$(dirname "$0")/.."
repetitions=5
min_time=0.5
smoke=()
if [ "${1:-}" = "--smoke" ]; then repetitions=1; min_time=0.01; smoke=(--smoke); fi

scripts/install-deps.sh
launcher=()
if command -v ccache >/dev/null; then launcher=(-DCMAKE_CXX_COMPILER_LAUNCHER=ccache); fi
cmake -S . -B build -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo -DASIO_CONSOLE_BUILD_BENCHMARKS=ON "${launcher[@]}" >/dev/null
cmake --build build --target recorder_benchmark publisher_benchmark console_benchmark operation_benchmark \
  operation_benchmark_deep deep_publisher_benchmark instruction_count \
  parked_tasks_plain parked_tasks_recorded churn http_server_plain http_server_recorded http_server_deep flex_server_plain \
  flex_server_recorded asio-console >/dev/null

out=$(mktemp)
trap 'rm -f "$out"' EXIT
for benchmark in recorder_benchmark publisher_benchmark console_benchmark operation_benchmark operation_benchmark_deep \
  deep_publisher_benchmark; do
  echo "### $benchmark"
  echo
  build/benchmarks/$benchmark --benchmark_repetitions="$repetitions" --benchmark_min_time="$min_time" \
    --benchmark_enable_random_interleaving=true --benchmark_format=json --benchmark_out="$out" \
    --benchmark_out_format=json >/dev/null
  python3 benchmarks/table.py "$out"
done

echo "### instructions (callgrind)"
echo
if [ ${#smoke[@]} -gt 0 ]; then export INSTRUCTIONS_ITEMS=3000; fi
benchmarks/instructions.sh build
echo

echo "### whole processes"
echo
benchmarks/whole_process.sh "${smoke[@]}"
