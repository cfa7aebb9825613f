#!/usr/bin/env bash
# Builds asio-console and runs its tests. Installs missing Debian packages first.
#
#   scripts/test.sh                         optimized build (RelWithDebInfo), every test
#   scripts/test.sh --sanitize thread       ThreadSanitizer build of the tests
#   scripts/test.sh --sanitize address,undefined
#   scripts/test.sh --fuzz                  the libFuzzer targets (clang), a few seconds each over
#                                           their corpus (ASIO_CONSOLE_FUZZ_SECONDS=N for longer)
#   scripts/test.sh --asio-matrix [DIR]     the recorder's tests against each Asio snapshot in DIR
#                                           (default ../shared/asio) and each compiler
#                                           (scripts/asio-matrix.sh)
#
# Build trees: build/ (plain), build-thread/, build-address-undefined/ (sanitized), build-fuzz/,
# build-matrix/<cell>/.
set -euo pipefail
cd "$(dirname "$0")/.."

sanitize=""
fuzz=false
while [ $# -gt 0 ]; do
  case "$1" in
    --sanitize) sanitize="$2"; shift 2 ;;
    --fuzz) fuzz=true; shift ;;
    --asio-matrix)
      shift
      scripts/install-deps.sh
      exec scripts/asio-matrix.sh "$@" ;;
    *) echo "usage: scripts/test.sh [--sanitize thread|address,undefined | --fuzz | --asio-matrix [DIR]]" >&2; exit 2 ;;
  esac
done

scripts/install-deps.sh

build_dir=build
options=()
targets=()
# Sanitized and fuzzing builds: -O1 with line tables (-g1), which halves their compile time and
# keeps every report's file and line.
checked_flags="-DCMAKE_CXX_FLAGS_RELWITHDEBINFO=-O1 -g1 -DNDEBUG"
if [ -n "$sanitize" ]; then
  build_dir="build-${sanitize//,/-}"
  # Sanitized builds compile what they test: the tests, not benchmarks or examples.
  options+=(-DASIO_CONSOLE_SANITIZE="$sanitize" -DASIO_CONSOLE_BUILD_BENCHMARKS=OFF -DASIO_CONSOLE_BUILD_EXAMPLES=OFF
            "$checked_flags")
elif $fuzz; then
  build_dir=build-fuzz
  options+=(-DCMAKE_CXX_COMPILER=clang++-14 -DASIO_CONSOLE_BUILD_FUZZERS=ON -DASIO_CONSOLE_SANITIZE=address,undefined
            -DASIO_CONSOLE_BUILD_TESTS=OFF -DASIO_CONSOLE_BUILD_BENCHMARKS=OFF -DASIO_CONSOLE_BUILD_EXAMPLES=OFF
            "$checked_flags")
  [ -n "${ASIO_CONSOLE_FUZZ_SECONDS:-}" ] && options+=(-DASIO_CONSOLE_FUZZ_SECONDS="$ASIO_CONSOLE_FUZZ_SECONDS")
  targets=(--target fuzzers)
fi
if command -v ccache >/dev/null; then
  options+=(-DCMAKE_CXX_COMPILER_LAUNCHER=ccache)
  ccache --max-size=20G >/dev/null  # four build trees with debug info outgrow the default 5G
  if [ "$build_dir" != build ]; then
    # Sanitized and fuzzing builds name sources relative to the checkout, so that another clone
    # (CI's) reuses what this one compiled. Not the plain build: its __FILE__ is what users see.
    export CCACHE_BASEDIR="$PWD" CCACHE_NOHASHDIR=true
  fi
fi

cmake -S . -B "$build_dir" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo "${options[@]}"
cmake --build "$build_dir" --parallel "$(nproc)" "${targets[@]}"

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
