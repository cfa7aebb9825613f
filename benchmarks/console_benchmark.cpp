// What the console costs at scale: applying a snapshot, applying a publication (with the lints the
// model runs for each), the lints alone, listing (filtering and sorting) the tasks, and a frame of
// the tasks screen drawn into a real curses screen (written to /dev/null), and a replay's step back
// through a recording, for N tasks spread over a few sites.
#include <benchmark/benchmark.h>

#include <cstdio>

#include "model/lints.hpp"
#include "model/site_summary.hpp"
#include "model/state.hpp"
#include "model/task_table.hpp"
#include "recording/replay_source.hpp"
#include "ui/navigation.hpp"
#include "view/screens.hpp"
// After gRPC's headers: curses defines OK as a macro.
#include <ncurses.h>

namespace {
using namespace asio_console::console;
namespace v1 = asio_console::v1;
constexpr std::int64_t second = 1'000'000'000;

// One snapshot of `count` idle tasks over 8 sites, as a server would send it (strings interned).
std::vector<v1::Update> snapshot_of(int count) {
  std::vector<v1::Update> chunks(1);
  v1::Update* update = &chunks.back();
  const auto start = [](v1::Update& u, bool first) {
    u.set_protocol_version(1);
    u.set_now_ns(100 * second);
    u.set_snapshot(first);
  };
  start(*update, true);
  for (std::uint32_t id = 1; id <= 3; ++id) {
    v1::InternedString* s = update->add_new_strings();
    s->set_id(id);
    s->set_value(id == 1 ? "/src/server/session.cpp" : id == 2 ? "void session(tcp::socket)" : "session");
  }
  for (std::uint32_t site = 1; site <= 8; ++site) {
    v1::Site* s = update->add_new_sites();
    s->set_id(site);
    s->mutable_location()->set_file(1);
    s->mutable_location()->set_function(2);
    s->mutable_location()->set_line(10 * site);
  }
  for (int i = 1; i <= count; ++i) {
    if (update->new_tasks_size() == 10'000) {
      chunks.emplace_back();
      update = &chunks.back();
      start(*update, false);
    }
    v1::Task* t = update->add_new_tasks();
    t->set_id(static_cast<std::uint64_t>(i));
    t->set_parent_id(i % 7 == 0 ? 0 : 1);
    t->set_name(3);
    t->set_site_id(static_cast<std::uint32_t>(1 + i % 8));
    t->set_created_ns(i % 1000 * 1'000'000);
    v1::TaskStats* stats = t->mutable_stats();
    stats->set_id(static_cast<std::uint64_t>(i));
    stats->set_state(v1::TASK_STATE_IDLE);
    stats->set_busy_ns(i % 977 * 1000);
    stats->set_idle_ns(50 * second);
    stats->set_last_poll_end_ns(60 * second);
    stats->set_polls(static_cast<std::uint64_t>(i % 31));
    stats->set_pending_work(1);
  }
  for (std::uint32_t site = 1; site <= 8; ++site) {
    v1::SiteStats* s = update->add_site_stats();
    s->set_id(site);
    s->set_spawned(static_cast<std::uint64_t>(count / 8));
  }
  update->set_last_chunk(true);
  return chunks;
}

state loaded(int count) {
  state model;
  for (const v1::Update& chunk : snapshot_of(count)) {
    if (!model.apply(chunk).ok()) std::abort();
  }
  return model;
}

void apply_snapshot(benchmark::State& bench) {
  const std::vector<v1::Update> chunks = snapshot_of(static_cast<int>(bench.range(0)));
  for (auto _ : bench) {
    state model;
    for (const v1::Update& chunk : chunks) benchmark::DoNotOptimize(model.apply(chunk));
  }
}

// One publication in which 1% of the tasks changed, as the model applies it: stats, site samples,
// the lints over every task, the stacks left to symbolize.
void apply_publication(benchmark::State& bench) {
  const int count = static_cast<int>(bench.range(0));
  state model = loaded(count);
  std::int64_t now = 100 * second;
  for (auto _ : bench) {
    v1::Update delta;
    delta.set_protocol_version(1);
    delta.set_now_ns(now += second);
    delta.set_last_chunk(true);
    for (int i = 1; i <= count; i += 100) {
      v1::TaskStats* stats = delta.add_changed_stats();
      stats->set_id(static_cast<std::uint64_t>(i));
      stats->set_state(v1::TASK_STATE_IDLE);
      stats->set_polls(static_cast<std::uint64_t>(now / second));
      stats->set_last_poll_end_ns(now);
    }
    if (!model.apply(delta).ok()) std::abort();
    benchmark::DoNotOptimize(model.take_requests());
  }
}

void evaluate_all_lints(benchmark::State& bench) {
  state model = loaded(static_cast<int>(bench.range(0)));
  for (auto _ : bench) benchmark::DoNotOptimize(evaluate_lints(model, {}));
}

void list_sorted_by_total(benchmark::State& bench) {
  const state model = loaded(static_cast<int>(bench.range(0)));
  for (auto _ : bench) benchmark::DoNotOptimize(list_tasks(model, {task_column::total, true}));
}

void list_filtered(benchmark::State& bench) {
  const state model = loaded(static_cast<int>(bench.range(0)));
  for (auto _ : bench) benchmark::DoNotOptimize(list_tasks(model, {task_column::name, false}, "sess"));
}

// One whole frame of the tasks screen, as the UI loop does it when a publication arrived: list,
// selection, drawing (the lints ran when the model applied the publication: apply_publication).
void redraw_tasks_screen(benchmark::State& bench) {
  state model = loaded(static_cast<int>(bench.range(0)));
  FILE* sink = std::fopen("/dev/null", "w");
  SCREEN* screen = newterm("xterm-256color", sink, stdin);
  set_term(screen);
  resize_term(50, 200);
  navigation nav;
  if (!model.apply(link_status{link_status::phase::connected, {}, {}, 1}).ok()) std::abort();
  const frame_filter frames;
  for (auto _ : bench) {
    const frame_context context{model, nav, frames, "127.0.0.1:6669"};
    const std::vector<const task*> rows = list_tasks(model, nav.order(), nav.filter());
    std::vector<std::uint64_t> ids;
    ids.reserve(rows.size());
    for (const task* t : rows) ids.push_back(t->id);
    nav.set_rows(ids, static_cast<std::size_t>(list_rows(chrome_height(context))));
    erase();
    draw_tasks_screen(context, rows);
    refresh();
  }
  endwin();
  delscreen(screen);
  std::fclose(sink);
}

// A replay at the end of a recording of `count` tasks over 10 minutes (600 publications, 1% of the
// tasks changed in each) stepping one publication back (the model rebuilt from the stream's start,
// as replay_source does it) and forward again: what `,` then `.` cost.
void replay_step_back_and_forth(benchmark::State& bench) {
  const int count = static_cast<int>(bench.range(0));
  recording file;
  file.messages.push_back({0, stream_started{1}});
  for (v1::Update& chunk : snapshot_of(count)) file.messages.push_back({second, std::move(chunk)});
  for (int publication = 1; publication <= 600; ++publication) {
    const std::int64_t now = (100 + publication) * second;
    v1::Update delta;
    delta.set_protocol_version(1);
    delta.set_now_ns(now);
    delta.set_last_chunk(true);
    for (int i = 1 + publication % 100; i <= count; i += 100) {
      v1::TaskStats* stats = delta.add_changed_stats();
      stats->set_id(static_cast<std::uint64_t>(i));
      stats->set_state(v1::TASK_STATE_IDLE);
      stats->set_polls(static_cast<std::uint64_t>(publication));
      stats->set_last_poll_end_ns(now);
    }
    file.messages.push_back({(1 + publication) * second, std::move(delta)});
  }
  replay_source source(std::move(file), "bench.rec", {.start_at = absl::InfiniteDuration(), .playing = false});
  state model({.retain_completed = absl::Seconds(6)});
  const auto pump = [&] {
    for (;;) {
      std::vector<message> arrived = source.take_messages();
      if (!model.apply_all(arrived).ok()) std::abort();
      std::vector<request> asked = model.take_requests();
      if (arrived.empty() && asked.empty()) return;
      for (request& r : asked) source.send(std::move(r));
    }
  };
  pump();
  for (auto _ : bench) {
    source.send(seek_request{seek_request::to::previous_publication, {}});
    pump();
    source.send(seek_request{seek_request::to::next_publication, {}});
    pump();
  }
  if (model.publications() != 601) std::abort();
}

}  // namespace

BENCHMARK(apply_snapshot)->Arg(10'000)->Arg(100'000)->Unit(benchmark::kMillisecond);
BENCHMARK(apply_publication)->Arg(10'000)->Arg(100'000)->Unit(benchmark::kMillisecond);
BENCHMARK(evaluate_all_lints)->Arg(10'000)->Arg(100'000)->Unit(benchmark::kMillisecond);
BENCHMARK(list_sorted_by_total)->Arg(10'000)->Arg(100'000)->Unit(benchmark::kMillisecond);
BENCHMARK(list_filtered)->Arg(100'000)->Unit(benchmark::kMillisecond);
BENCHMARK(redraw_tasks_screen)->Arg(10'000)->Arg(100'000)->Unit(benchmark::kMillisecond);
BENCHMARK(replay_step_back_and_forth)->Arg(10'000)->Arg(100'000)->Unit(benchmark::kMillisecond);
BENCHMARK_MAIN();
