#!/usr/bin/env bash
# Instructions per resume and per spawn, plain Boost.Asio against asio-console, counted by callgrind
# (repeatable whatever else the machine does). Each figure is (count at N2 - count at N1) / (N2 - N1).
#   benchmarks/instructions.sh [build dir]       (default: build, already built)
# INSTRUCTIONS_ITEMS sets N2 (default 21000; N1 is 1000).
set -euo pipefail
cd "$(dirname "$0")/.."
program=${1:-build}/benchmarks/instruction_count
small=1000
large=${INSTRUCTIONS_ITEMS:-21000}

total() {  # workload variant count -> instructions of the whole run
  local out
  out=$(mktemp)
  valgrind --tool=callgrind --callgrind-out-file="$out" "$program" "$@" >/dev/null 2>&1
  awk '/^summary:/ { print $2 }' "$out"
  rm -f "$out"
}

echo "| per item (callgrind instructions) | plain | recorded | added |"
echo "|---|---:|---:|---:|"
for workload in resume spawn; do
  declare -A per_item=()
  for variant in plain recorded; do
    a=$(total "$workload" "$variant" "$small")
    b=$(total "$workload" "$variant" "$large")
    per_item[$variant]=$(( (b - a) / (large - small) ))
  done
  echo "| $workload | ${per_item[plain]} | ${per_item[recorded]} | +$(( per_item[recorded] - per_item[plain] )) |"
done
