#!/usr/bin/env bash
# Installs the Debian bookworm packages asio-console builds, tests and benchmarks with.
# Idempotent: does nothing when everything is present. Needs root (or sudo) for apt-get.
# Elsewhere, install the equivalents of the PACKAGES list below with your package manager.
set -euo pipefail

PACKAGES=(
  cmake ninja-build g++ ccache pkg-config
  libboost1.81-dev libboost-stacktrace1.81-dev
  libabsl-dev libgrpc++-dev protobuf-compiler-grpc libprotobuf-dev protobuf-compiler
  prometheus-cpp-dev  # the metrics endpoint
  libncurses-dev libzstd-dev libgtest-dev libgmock-dev libbenchmark-dev
  clang-14 libclang-rt-14-dev tmux
  clang-19 libc++-19-dev libc++abi-19-dev xz-utils dpkg-dev googletest  # the compatibility matrix (scripts/asio-matrix.sh)
  wrk valgrind  # benchmarks: HTTP load, instruction counts
  time  # GNU time: the memory tests measure a command's own peak (tests/console/support/process.cpp)
  libboost1.81-doc  # Asio's and Beast's example programs, run by tests/e2e
)
# The real Prometheus (and promtool) the metrics tests run against: if it cannot be installed,
# those tests say so and are skipped; nothing else needs it.
OPTIONAL_PACKAGES=(prometheus)

installed() { dpkg-query -W -f='${Status}' "$1" 2>/dev/null | grep -q "install ok installed"; }
missing=()
for package in "${PACKAGES[@]}"; do installed "$package" || missing+=("$package"); done
optional_missing=()
for package in "${OPTIONAL_PACKAGES[@]}"; do installed "$package" || optional_missing+=("$package"); done
[ ${#missing[@]} -eq 0 ] && [ ${#optional_missing[@]} -eq 0 ] && exit 0

echo "install-deps: installing ${missing[*]} ${optional_missing[*]}"
sudo_cmd=()
if [ "$(id -u)" -ne 0 ]; then
  command -v sudo >/dev/null || { echo "install-deps: need root to install: ${missing[*]}" >&2; exit 1; }
  sudo_cmd=(sudo)
fi
export DEBIAN_FRONTEND=noninteractive
"${sudo_cmd[@]}" apt-get update -qq
if [ ${#missing[@]} -gt 0 ]; then
  "${sudo_cmd[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi
if [ ${#optional_missing[@]} -gt 0 ]; then
  "${sudo_cmd[@]}" apt-get install -y -qq --no-install-recommends "${optional_missing[@]}" >/dev/null ||
    echo "install-deps: could not install ${optional_missing[*]}: the Prometheus tests will be skipped" >&2
fi
