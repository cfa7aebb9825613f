#!/usr/bin/env bash
# Installs the Debian bookworm packages asio-console builds, tests and benchmarks with.
# Idempotent: does nothing when everything is present. Needs root (or sudo) for apt-get.
# Elsewhere, install the equivalents of the PACKAGES list below with your package manager.
set -euo pipefail

PACKAGES=(
  cmake ninja-build g++ ccache pkg-config
  libboost1.81-dev libboost-stacktrace1.81-dev
  libabsl-dev libgrpc++-dev protobuf-compiler-grpc libprotobuf-dev protobuf-compiler
  libncurses-dev libzstd-dev libgtest-dev libgmock-dev libbenchmark-dev
  clang-14 libclang-rt-14-dev tmux
  wrk valgrind  # benchmarks: HTTP load, instruction counts
  libboost1.81-doc  # Asio's and Beast's example programs, run by tests/e2e
)

missing=()
for package in "${PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed" || missing+=("$package")
done
[ ${#missing[@]} -eq 0 ] && exit 0

echo "install-deps: installing ${missing[*]}"
sudo_cmd=()
if [ "$(id -u)" -ne 0 ]; then
  command -v sudo >/dev/null || { echo "install-deps: need root to install: ${missing[*]}" >&2; exit 1; }
  sudo_cmd=(sudo)
fi
export DEBIAN_FRONTEND=noninteractive
"${sudo_cmd[@]}" apt-get update -qq
"${sudo_cmd[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
