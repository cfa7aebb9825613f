#!/usr/bin/env bash
# Builds asio-console and runs its tests. Installs missing Debian packages first.
#
#   scripts/test.sh                         optimized build (RelWithDebInfo), every test
#   scripts/test.sh --sanitize thread       ThreadSanitizer build of the tests
#   scripts/test.sh --sanitize address,undefined
#
# Build trees: build/ (plain), build-thread/, build-address-undefined/ (sanitized).
set -euo pipefail
cd "$(dirname "$0")/.."

sanitize=""
while [ $# -gt 0 ]; do
  case "$1" in
    --sanitize) sanitize="$2"; shift 2 ;;
    *) echo "usage: scripts/test.sh [--sanitize thread|address,undefined]" >&2; exit 2 ;;
  esac
done

scripts/install-deps.sh

build_dir=build
options=()
if [ -n "$sanitize" ]; then
  build_dir="build-${sanitize//,/-}"
  # Sanitized builds compile what they test: the tests, not benchmarks or examples.
  options+=(-DASIO_CONSOLE_SANITIZE="$sanitize" -DASIO_CONSOLE_BUILD_BENCHMARKS=OFF -DASIO_CONSOLE_BUILD_EXAMPLES=OFF)
fi
if command -v ccache >/dev/null; then options+=(-DCMAKE_CXX_COMPILER_LAUNCHER=ccache); fi

cmake -S . -B "$build_dir" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo "${options[@]}"
cmake --build "$build_dir" --parallel "$(nproc)"

# gRPC, protobuf and Abseil come from Debian without TSan: their synchronization is invisible to it.
# Reports from inside any of their libraries are suppressed (the list is made from what is
# installed), plus the rules in tests/sanitizers/tsan.supp. TSan takes at most 128 code ranges of
# such libraries in one process (the console loads over 60 of them, most with two ranges), so
# Abseil's leaf libraries that share no state between threads (numbers, hashing, error text,
# demangling, the random generators' cores, flag parsing helpers) are left out of the list.
leaf_libraries='absl_(int128|civil_time|log_severity|city|low_level_hash|bad_(optional_access|variant_access|any_cast_impl)|throw_delegate|strerror|demangle_internal|exponential_biased|random_internal_(platform|randen|randen_hwaes|randen_hwaes_impl|randen_slow)|random_seed_gen_exception|flags_(marshalling|commandlineflag|commandlineflag_internal|private_handle_accessor))$'
suppressions="$PWD/$build_dir/tsan.supp"
cp tests/sanitizers/tsan.supp "$suppressions"
for library in /usr/lib/*-linux-gnu/lib{absl_,grpc,gpr,upb,address_sorting,protobuf}*.so.*; do
  [ -e "$library" ] || continue
  name="$(basename "${library%%.so.*}")"
  [[ "${name#lib}" =~ $leaf_libraries ]] && continue
  echo "called_from_lib:$name.so" >> "$suppressions"
done
sort -u -o "$suppressions" "$suppressions"
export TSAN_OPTIONS="halt_on_error=1 second_deadlock_stack=1 suppressions=$suppressions"
export ASAN_OPTIONS="detect_leaks=1:abort_on_error=1"
export LSAN_OPTIONS="suppressions=$PWD/tests/sanitizers/lsan.supp"
export UBSAN_OPTIONS="halt_on_error=1:print_stacktrace=1"
ctest --test-dir "$build_dir" --output-on-failure --parallel "$(nproc)" --timeout 600
