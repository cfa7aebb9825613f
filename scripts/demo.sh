#!/usr/bin/env bash
# Builds asio-console and runs the demo: a small program with a task leak, and what the recorder
# shows about it (the leaking site, its idle tasks, and the constructor that spawns them).
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-deps.sh
launcher=()
if command -v ccache >/dev/null; then launcher=(-DCMAKE_CXX_COMPILER_LAUNCHER=ccache); fi
cmake -S . -B build -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo -DASIO_CONSOLE_BUILD_EXAMPLES=ON "${launcher[@]}" >/dev/null
cmake --build build --target print_tasks
exec build/examples/print_tasks
