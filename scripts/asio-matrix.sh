#!/usr/bin/env bash
# The compatibility matrix: the recorder built and tested against each Asio and compiler users build
# with. Run through `scripts/test.sh --asio-matrix [DIR]`; DIR holds the Asio header snapshots
# (default ../shared/asio beside the checkout; see its README).
#
# Each cell is one configure in build-matrix/<cell>/ that builds only what it runs: the recorder's,
# the runtime's and deep mode's tests, the unchecked-Asio and the disabled-recorder tests; cells marked "leak" also the
# leak example's diagnosis (examples/leaky_server read by `asio-console dump --json`, which names
# the constructor in the top site's spawn stack and report_metrics_forever in its await stacks).
# The libc++ cell builds without the server (Debian's gRPC is built for libstdc++), on Abseil and
# GoogleTest built for libc++ by scripts/libcxx-deps.sh.
# The whole suite runs on the default toolchain (Boost 1.81, GCC 12) in scripts/test.sh itself.
# ASIO_MATRIX_CELLS=name,name runs only those cells.
set -euo pipefail
cd "$(dirname "$0")/.."

snapshots="${1:-../shared/asio}"
if [ ! -d "$snapshots" ]; then
  echo "asio matrix skipped: no Asio snapshots in $snapshots"
  exit 0
fi
snapshots="$(cd "$snapshots" && pwd)"

# name | compiler | snapshot archive (empty: the system's Boost 1.81) | what (recorder, or leak too)
# | flavor (boost, or standalone Asio) | standard library
cells=(
  "boost-1.83-gcc12|g++|boost-1.83.0|leak|boost|libstdc++"
  "boost-1.86-gcc12|g++|boost-1.86.0|recorder|boost|libstdc++"
  "boost-1.89-gcc12|g++|boost-1.89.0|recorder|boost|libstdc++"
  "boost-1.90-gcc12|g++|boost-1.90.0.beta1|leak|boost|libstdc++"
  "standalone-1.38-gcc12|g++|asio-1.38.2|leak|standalone|libstdc++"
  "boost-1.81-clang19|clang++-19||recorder|boost|libstdc++"
  "boost-1.90-clang19|clang++-19|boost-1.90.0.beta1|recorder|boost|libstdc++"
  "standalone-1.38-clang19|clang++-19|asio-1.38.2|recorder|standalone|libstdc++"
  "boost-1.90-clang19-libcxx|clang++-19|boost-1.90.0.beta1|recorder|boost|libc++"
)
recorder_programs=(runtime_tests instrumentation_tests deep_tests runtime_unverified_asio_tests runtime_disabled_tests)
leak_diagnosis='LeakyServer.TheLeakIsOneSiteWhoseStackNamesTheConstructorAndTheLintsFindItWithinAMinute'

unpacked=build-matrix/asio
mkdir -p "$unpacked"
unpack() {  # the include folder of snapshot $1, unpacked once
  local name="$1"
  if [ ! -d "$unpacked/$name/include" ]; then
    [ -f "$snapshots/$name.tar.xz" ] || { echo "asio matrix: $snapshots/$name.tar.xz is missing" >&2; return 1; }
    tar -xJf "$snapshots/$name.tar.xz" -C "$unpacked"
  fi
  echo "$PWD/$unpacked/$name/include"
}

launcher=()
if command -v ccache >/dev/null; then
  launcher=(-DCMAKE_CXX_COMPILER_LAUNCHER=ccache)
  export CCACHE_BASEDIR="$PWD" CCACHE_NOHASHDIR=true  # another clone reuses what this one compiled
fi

failed=()
passed=0
for cell in "${cells[@]}"; do
  IFS='|' read -r name compiler snapshot what flavor stdlib <<<"$cell"
  if [ -n "${ASIO_MATRIX_CELLS:-}" ] && [[ ",$ASIO_MATRIX_CELLS," != *",$name,"* ]]; then continue; fi
  command -v "$compiler" >/dev/null || { echo "asio matrix: $compiler is not installed" >&2; exit 1; }
  asio_include=""
  [ -n "$snapshot" ] && asio_include="$(unpack "$snapshot")"
  echo "=== asio matrix: $name"
  build="build-matrix/$name"
  started=$SECONDS
  stdlib_options=()
  if [ "$stdlib" = libc++ ]; then
    # Debian builds Abseil, GoogleTest and gRPC for libstdc++: the first two are built again for
    # libc++ (once), and the cell has no server, so its tests are the recorder's alone.
    prefix="$(scripts/libcxx-deps.sh build-matrix/libcxx-prefix)" || { failed+=("$name (libc++ libraries)"); continue; }
    stdlib_options=(-DCMAKE_CXX_FLAGS=-stdlib=libc++ -DCMAKE_PREFIX_PATH="$prefix" -DASIO_CONSOLE_BUILD_SERVER=OFF)
  fi
  # -O1 with line tables: the cells check behaviour, not speed, and compile in half the time.
  cmake -S . -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo "-DCMAKE_CXX_FLAGS_RELWITHDEBINFO=-O1 -g1 -DNDEBUG" \
        -DCMAKE_CXX_COMPILER="$compiler" -DASIO_CONSOLE_ASIO_INCLUDE_DIR="$asio_include" \
        -DASIO_CONSOLE_STANDALONE_ASIO="$([ "$flavor" = standalone ] && echo ON || echo OFF)" \
        -DASIO_CONSOLE_BUILD_BENCHMARKS=OFF "${stdlib_options[@]}" "${launcher[@]}" >"$build.configure.log" 2>&1 ||
    { cat "$build.configure.log" >&2; failed+=("$name (configure)"); continue; }
  programs=("${recorder_programs[@]}")
  [ "$what" = leak ] && programs+=(leaky_server_tests)
  if ! cmake --build "$build" --parallel "$(nproc)" --target "${programs[@]}"; then
    failed+=("$name (build)")
    continue
  fi
  cell_ok=true
  for program in "${recorder_programs[@]}"; do
    "$build/tests/$program" --gtest_brief=1 || cell_ok=false
  done
  if [ "$what" = leak ]; then
    "$build/tests/leaky_server_tests" --gtest_brief=1 --gtest_filter="$leak_diagnosis" || cell_ok=false
  fi
  if $cell_ok; then
    passed=$((passed + 1))
    echo "=== asio matrix: $name passed in $((SECONDS - started)) s"
  else
    failed+=("$name (tests)")
  fi
done

if [ ${#failed[@]} -gt 0 ]; then
  echo "asio matrix: failed: ${failed[*]}" >&2
  echo "asio matrix: $passed passed, ${#failed[@]} failed"
  exit 1
fi
echo "asio matrix: $passed passed, 0 failed"
