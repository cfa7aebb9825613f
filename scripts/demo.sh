#!/usr/bin/env bash
# Builds asio-console and runs the demo: leaky_server (an HTTP server that leaks one background task
# per request, with built-in load) in the background, and the asio-console terminal UI attached to
# it in the foreground. Quit the console with q; the server stops with it.
#
#   scripts/demo.sh            the leak
#   scripts/demo.sh --fixed    the same server with the bug fixed
#   scripts/demo.sh --dump     no UI: wait 20 s, then print `asio-console dump` (for a terminal-less look)
set -euo pipefail
cd "$(dirname "$0")/.."
server_args=()
dump=false
for arg in "$@"; do
  case "$arg" in
    --fixed) server_args+=(--fixed) ;;
    --dump) dump=true ;;
    *) echo "usage: scripts/demo.sh [--fixed] [--dump]" >&2; exit 2 ;;
  esac
done

scripts/install-deps.sh
launcher=()
if command -v ccache >/dev/null; then launcher=(-DCMAKE_CXX_COMPILER_LAUNCHER=ccache); fi
cmake -S . -B build -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo -DASIO_CONSOLE_BUILD_EXAMPLES=ON "${launcher[@]}" >/dev/null
cmake --build build --target leaky_server asio-console

export ASIO_CONSOLE_BIND="${ASIO_CONSOLE_BIND:-127.0.0.1:6669}"
build/examples/leaky_server "${server_args[@]}" > build/leaky_server.log 2>&1 &
server=$!
trap 'kill "$server" 2>/dev/null; wait "$server" 2>/dev/null || true' EXIT
for _ in $(seq 50); do
  grep -q "console on" build/leaky_server.log 2>/dev/null && break
  kill -0 "$server" 2>/dev/null || { cat build/leaky_server.log >&2; exit 1; }
  sleep 0.1
done
cat build/leaky_server.log
if $dump; then
  sleep 20
  build/console/asio-console dump "$ASIO_CONSOLE_BIND"
else
  build/console/asio-console "$ASIO_CONSOLE_BIND"
fi
