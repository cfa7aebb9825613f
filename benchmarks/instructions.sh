#!/usr/bin/env bash
# Instructions per resume, per spawn and per HTTP request, plain Boost.Asio against asio-console,
# counted by callgrind (repeatable whatever else the machine does). Each figure is
# (count at N2 - count at N1) / (N2 - N1), so start-up and shutdown cancel out.
#   benchmarks/instructions.sh [build dir]       (default: build, already built)
# INSTRUCTIONS_ITEMS sets N2 (default 21000; N1 is 1000). The HTTP row (Beast's awaitable server,
# keep-alive GETs of a 1 KiB file from one client) serves N1 and (N1 + N2) / 2 requests; it needs the
# http_server_plain and http_server_recorded programs (skipped without them). The recorded server
# runs serve(), whose idle threads add a few hundred instructions a request under callgrind's
# slowdown (they run by time, not by request).
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

scratch=$(mktemp -d)
server=""
trap '[ -z "$server" ] || kill "$server" 2>/dev/null; rm -rf "$scratch"' EXIT

# http_total <variant> <requests>: instructions of the whole run of http_server_<variant> that
# served that many requests, one after the other on one keep-alive connection.
http_total() {
  local out=$scratch/callgrind.out port
  port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
  ASIO_CONSOLE_BIND=127.0.0.1:0 valgrind --tool=callgrind --callgrind-out-file="$out" \
    "${program%/*}/http_server_$1" 127.0.0.1 "$port" "$scratch/www" 1 >/dev/null 2>&1 &
  server=$!
  local deadline=$((SECONDS + 60))
  until (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; do
    [ "$SECONDS" -lt "$deadline" ] || { echo "instructions: the $1 server did not start" >&2; return 1; }
    sleep 0.2
  done
  python3 - "$port" "$2" <<'CLIENT'
import http.client, sys
port, count = int(sys.argv[1]), int(sys.argv[2])
connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
for _ in range(count):
    connection.request("GET", "/index.html")
    response = connection.getresponse()
    if response.status != 200 or len(response.read()) != 1024:
        sys.exit("instructions: unexpected response")
CLIENT
  kill "$server"
  wait "$server" 2>/dev/null || true
  server=""
  awk '/^summary:/ { print $2 }' "$out"
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

if [ -x "${program%/*}/http_server_plain" ] && [ -x "${program%/*}/http_server_recorded" ]; then
  mkdir -p "$scratch/www"
  head -c 1024 /dev/zero | tr '\0' 'x' >"$scratch/www/index.html"
  few=$small many=$(((small + large) / 2))
  declare -A per_request=()
  for variant in plain recorded; do
    a=$(http_total "$variant" "$few")
    b=$(http_total "$variant" "$many")
    per_request[$variant]=$(( (b - a) / (many - few) ))
  done
  echo "| HTTP request (Beast) | ${per_request[plain]} | ${per_request[recorded]} | +$(( per_request[recorded] - per_request[plain] )) |"
fi
