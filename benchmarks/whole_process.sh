#!/usr/bin/env bash
# Whole processes, plain Boost.Asio against asio-console, run alternately in the same session:
#
#   http        Beast's awaitable HTTP server from Boost's examples, as shipped (plain) and switched
#               to asio_console::co_spawn with serve() running (recorded), also with the terminal UI
#               attached (console). One io thread pinned to CPU 1, wrk pinned to CPU 0, keep-alive.
#   flex        the same for Beast's advanced_server_flex_awaitable (HTTP/WebSocket/TLS detection,
#               coroutines on io_context's executor type: switched with the README's executor alias).
#   memory      RSS of a process with N tasks parked on a channel, minus the same with none, plain
#               and recorded: spawned all at once, and 1,000 at a time (each batch parked before the
#               next); then recorded with the terminal UI attached (after its snapshot).
#   retention   RSS of a process that spawns 1,000 short-lived tasks a second with serve() running
#               and the terminal UI attached, sampled over the run: it must stay flat.
#   tui         CPU of the terminal UI attached to 100,000 parked tasks that never change (one
#               publication a second), after its snapshot: user + system clock ticks from /proc.
#
#   benchmarks/whole_process.sh [--smoke] [http] [flex] [memory] [retention] [tui]     (default: all)
#
# Programs come from build/ (or $BUILD_DIR), built by benchmarks/run.sh.
# --smoke runs each part once and briefly (CI: proves the scripts and programs work; the numbers
# mean little). Needs wrk and tmux (scripts/install-deps.sh installs them) and two CPUs.
set -euo pipefail
cd "$(dirname "$0")/.."

rounds=5 http_seconds=10 parked=1000000 churn_seconds=600 sample_every=10 warm_up=120 tui_tasks=100000 tui_seconds=30
if [ "${1:-}" = "--smoke" ]; then
  rounds=1 http_seconds=2 parked=100000 churn_seconds=12 sample_every=2 warm_up=6 tui_tasks=10000 tui_seconds=3
  shift
fi
parts=("$@")
[ ${#parts[@]} -gt 0 ] || parts=(http flex memory retention tui)
build=${BUILD_DIR:-build}
programs=$build/benchmarks
console=$build/console/asio-console
session=asio-console-bench-$$
# The server on CPU 1, load and console on CPU 0 (no pinning on a single CPU).
pin_server=() pin_load=()
if [ "$(nproc)" -ge 2 ]; then pin_server=(taskset -c 1) pin_load=(taskset -c 0); fi
scratch=$(mktemp -d)
pids=()

cleanup() {
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  tmux kill-session -t "$session" 2>/dev/null || true
  rm -rf "$scratch"
}
trap cleanup EXIT

free_port() { python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }
rss_kb() { awk '/^VmRSS/ { print $2 }' "/proc/$1/status"; }
median() { sort -n | awk '{ v[NR] = $1 } END { print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.3fx", a / b }'; }
# per_task <RSS kB with> <RSS kB without> <tasks>: bytes per task.
per_task() { awk -v a="$1" -v b="$2" -v n="$3" 'BEGIN { printf "%.0f", (a - b) * 1024 / n }'; }

# start <output file> <command...>: starts the command in the background, sets $started.
start() {
  local output=$1
  shift
  "$@" >"$output" 2>&1 &
  started=$!
  pids+=("$started")
}

# wait_for <seconds> <command...>: runs the check every 0.1 s until it succeeds; fails after.
wait_for() {
  local deadline=$((SECONDS + $1))
  shift
  until "$@"; do
    [ "$SECONDS" -lt "$deadline" ] || { echo "whole_process: timed out waiting for: $*" >&2; return 1; }
    sleep 0.1
  done
}
listening() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

stop() {
  kill "$1" 2>/dev/null || true
  wait "$1" 2>/dev/null || true
}

# attach <console port>: the terminal UI, in a detached tmux session, beside the load.
attach() {
  tmux new-session -d -s "$session" -x 200 -y 50 "${pin_load[*]} $console 127.0.0.1:$1"
}
detach() { tmux kill-session -t "$session" 2>/dev/null || true; }

# --- http, flex -----------------------------------------------------------------------------------
# under_wrk <program> <title>: <program>_plain against <program>_recorded, alone and with the UI,
# and <program>_deep (deep mode) the same way when it is built.
under_wrk() {
  local program=$1 title=$2
  local doc_root=$scratch/www
  mkdir -p "$doc_root"
  head -c 1024 /dev/zero | tr '\0' 'x' >"$doc_root/index.html"
  local variants=(plain recorded console)
  [ -x "$programs/${program}_deep" ] && variants+=(deep deep_console)
  declare -A results=([plain]="" [recorded]="" [console]="" [deep]="" [deep_console]="")
  for ((round = 0; round < rounds; ++round)); do
    for variant in "${variants[@]}"; do
      local port console_port binary=$programs/${program}_plain
      port=$(free_port)
      console_port=$(free_port)
      case $variant in
        recorded | console) binary=$programs/${program}_recorded ;;
        deep | deep_console) binary=$programs/${program}_deep ;;
      esac
      ASIO_CONSOLE_BIND=127.0.0.1:$console_port start "$scratch/server.out" \
        "${pin_server[@]}" "$binary" 127.0.0.1 "$port" "$doc_root" 1
      local server=$started
      wait_for 10 listening "$port"
      if [ "$variant" = console ] || [ "$variant" = deep_console ]; then
        attach "$console_port"
        sleep 1
      fi
      local rate
      rate=$("${pin_load[@]}" wrk -t1 -c32 -d"${http_seconds}s" "http://127.0.0.1:$port/index.html" |
        awk '/^Requests\/sec:/ { print $2 }')
      [ -n "$rate" ] || { echo "whole_process: wrk measured nothing against the $variant server" >&2; return 1; }
      results[$variant]+="$rate "
      detach
      stop "$server"
    done
  done
  local plain
  plain=$(echo "${results[plain]}" | tr ' ' '\n' | grep . | median)
  echo "| $title, 1 io thread, wrk -t1 -c32 (${rounds} x ${http_seconds} s each) | median requests/s | vs plain |"
  echo "|---|---:|---:|"
  for variant in "${variants[@]}"; do
    local value
    value=$(echo "${results[$variant]}" | tr ' ' '\n' | grep . | median)
    case $variant in
      plain) echo "| plain Boost.Asio | $value | |" ;;
      recorded) echo "| asio_console::co_spawn, serve() running | $value | $(ratio "$value" "$plain") |" ;;
      console) echo "| ... and the terminal UI attached | $value | $(ratio "$value" "$plain") |" ;;
      deep) echo "| built deep (asio_console::deep), serve() running | $value | $(ratio "$value" "$plain") |" ;;
      deep_console) echo "| ... deep, and the terminal UI attached | $value | $(ratio "$value" "$plain") |" ;;
    esac
  done
  echo
}

http() { under_wrk http_server "HTTP server"; }
flex() { under_wrk flex_server "Flex server (concrete executor type)"; }

# --- memory ---------------------------------------------------------------------------------------
# start_parked <variant> <count> [batch]: starts parked_tasks_<variant>, serving at a free port
# (sets $console_port), and returns once <count> tasks are parked; sets $started.
start_parked() {
  console_port=$(free_port)
  ASIO_CONSOLE_BIND=127.0.0.1:$console_port start "$scratch/parked.out" "$programs/parked_tasks_$1" "${@:2}"
  wait_for 300 grep -q parked "$scratch/parked.out"
}

# parked_rss <variant> <count> [batch]: RSS in kB once <count> tasks are parked.
parked_rss() {
  start_parked "$@"
  rss_kb "$started"
  stop "$started"
}

# settled_rss <pid>: RSS once it stopped growing (three samples a second apart within 1%).
settled_rss() {
  local previous=0 current stable=0
  for ((i = 0; i < 120 && stable < 3; ++i)); do
    sleep 1
    current=$(rss_kb "$1")
    if [ $((current * 100)) -le $((previous * 101)) ] && [ "$current" -ge "$previous" ]; then
      stable=$((stable + 1))
    else
      stable=0
    fi
    previous=$current
  done
  echo "$current"
}

memory() {
  declare -A rss=()
  for variant in plain recorded; do
    rss[$variant,0]=$(parked_rss "$variant" 0)
    rss[$variant,n]=$(parked_rss "$variant" "$parked")
    rss[$variant,batched]=$(parked_rss "$variant" "$parked" 1000)
  done
  local console_port
  start_parked recorded "$parked"
  local process=$started
  attach "$console_port"
  local attached
  attached=$(settled_rss "$process")
  detach
  stop "$process"

  local plain_per_task recorded_per_task attached_per_task
  plain_per_task=$(per_task "${rss[plain,n]}" "${rss[plain,0]}" "$parked")
  recorded_per_task=$(per_task "${rss[recorded,n]}" "${rss[recorded,0]}" "$parked")
  attached_per_task=$(per_task "$attached" "${rss[recorded,0]}" "$parked")
  echo "| $parked tasks parked on a channel | RSS with none (MiB) | RSS with them (MiB) | bytes per task | added per task |"
  echo "|---|---:|---:|---:|---:|"
  echo "| plain Boost.Asio | $((rss[plain,0] / 1024)) | $((rss[plain,n] / 1024)) | $plain_per_task | |"
  echo "| asio_console::co_spawn, serve() running | $((rss[recorded,0] / 1024)) | $((rss[recorded,n] / 1024)) | $recorded_per_task | +$((recorded_per_task - plain_per_task)) |"
  echo "| ... and the terminal UI attached | $((rss[recorded,0] / 1024)) | $((attached / 1024)) | $attached_per_task | +$((attached_per_task - plain_per_task)) |"
  plain_per_task=$(per_task "${rss[plain,batched]}" "${rss[plain,0]}" "$parked")
  recorded_per_task=$(per_task "${rss[recorded,batched]}" "${rss[recorded,0]}" "$parked")
  echo "| spawned 1,000 at a time: plain Boost.Asio | $((rss[plain,0] / 1024)) | $((rss[plain,batched] / 1024)) | $plain_per_task | |"
  echo "| spawned 1,000 at a time: asio_console::co_spawn | $((rss[recorded,0] / 1024)) | $((rss[recorded,batched] / 1024)) | $recorded_per_task | +$((recorded_per_task - plain_per_task)) |"
  echo
}

# --- retention ------------------------------------------------------------------------------------
retention() {
  local console_port
  console_port=$(free_port)
  ASIO_CONSOLE_BIND=127.0.0.1:$console_port start "$scratch/churn.out" "$programs/churn" --rate=1000
  local process=$started
  wait_for 10 grep -q churning "$scratch/churn.out"
  attach "$console_port"
  local samples=() elapsed=0
  while [ "$elapsed" -lt "$churn_seconds" ]; do
    sleep "$sample_every"
    elapsed=$((elapsed + sample_every))
    kill -0 "$process" 2>/dev/null || { echo "whole_process: churn exited" >&2; return 1; }
    samples+=("$elapsed:$(rss_kb "$process")")
  done
  detach
  stop "$process"
  printf '%s\n' "${samples[@]}" | awk -F: -v warm="$warm_up" -v total="$churn_seconds" '
    $1 <= warm { first = $2 }
    $1 > warm { n++; if (min == "" || $2 < min) min = $2; if ($2 > max) max = $2; last = $2 }
    END {
      printf "| churn: 1,000 spawns/s, terminal UI attached, %d s | RSS (MiB) |\n|---|---:|\n", total
      printf "| after the warm-up (%d s: one retention period and a margin) | %.1f |\n", warm, first / 1024
      printf "| lowest after it | %.1f |\n| highest after it | %.1f |\n| at the end | %.1f |\n", min / 1024, max / 1024, last / 1024
      printf "| largest change from the warm-up value | %+.1f%% |\n\n", ((max - first > first - min) ? (max - first) : (min - first)) * 100 / first
    }'
}

# --- tui ------------------------------------------------------------------------------------------
# cpu_ticks <pid>: user + system clock ticks the process has used.
cpu_ticks() { awk '{ print $14 + $15 }' "/proc/$1/stat"; }

tui() {
  local console_port
  start_parked recorded "$tui_tasks"
  local process=$started
  attach "$console_port"
  local ui
  wait_for 30 pgrep -f "^$console 127.0.0.1:$console_port" >/dev/null
  ui=$(pgrep -f "^$console 127.0.0.1:$console_port" | head -1)
  sleep 5  # the snapshot, its lints and first listing
  local before after hz
  before=$(cpu_ticks "$ui")
  sleep "$tui_seconds"
  after=$(cpu_ticks "$ui")
  hz=$(getconf CLK_TCK)
  detach
  stop "$process"
  echo "| terminal UI attached to $tui_tasks parked tasks, nothing changing, $tui_seconds s | % of a core |"
  echo "|---|---:|"
  awk -v t=$((after - before)) -v hz="$hz" -v s="$tui_seconds" 'BEGIN { printf "| user + system time | %.1f%% |\n\n", t * 100 / hz / s }'
}

for part in "${parts[@]}"; do
  case $part in
    http | flex | memory | retention | tui) "$part" ;;
    *) echo "whole_process: unknown part '$part' (http, flex, memory, retention, tui)" >&2; exit 2 ;;
  esac
done
