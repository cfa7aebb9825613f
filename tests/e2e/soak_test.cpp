// Soak: a process that spawns and finishes 10,000 tasks a second (benchmarks/programs/churn) for
// as long as the test runs, publishing every 10 ms (a hundred times the default rate, so that a
// 36 s run publishes as often as an hour does), with two consoles attached all along: one that
// never reads (cut off by the server, a fresh one each round) and one that reconnects every few
// seconds and reads everything. After a warm-up, the process's resident memory must stay flat:
// its highs over the run's last stretch (the 90th percentile of its samples) within 5% of those
// over the warm-up's second half, a stretch of the same length.
//
// CTest runs 45 s of it: the process's peaks still rise for the first 15-20 s, so a shorter run's
// warm-up (the first 40%) ends before they settle. ASIO_CONSOLE_SOAK_SECONDS=N runs N
// (BENCHMARKS.md reports a long run).
#include <gtest/gtest.h>
#include <grpcpp/grpcpp.h>

#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <memory>
#include <mutex>
#include <numeric>
#include <utility>
#include <string>
#include <thread>
#include <vector>

#include "asio_console/v1/instrument.grpc.pb.h"
#include "support/proc_status.hpp"
#include "support/process.hpp"
#include "support/update_reader.hpp"

namespace {
using namespace std::chrono_literals;
using asio_console::testing::child_process;
using asio_console::testing::update_reader;
namespace v1 = asio_console::v1;

// The resident set of `pid` in KiB; -1 once it is gone.
long resident_kib(pid_t pid) { return asio_console::testing::status_kib(pid, "VmRSS"); }

// A console that opens its stream and never reads from it.
class stalled_console {
 public:
  explicit stalled_console(const std::string& address)
      : stub_(asio_console::testing::connect(address)), reader_(stub_->WatchUpdates(&context_, request())) {}
  ~stalled_console() {
    context_.TryCancel();
    (void)reader_->Finish();
  }

 private:
  static v1::WatchUpdatesRequest request() {
    v1::WatchUpdatesRequest asked;
    asked.set_protocol_version(1);
    return asked;
  }
  std::unique_ptr<v1::Instrument::Stub> stub_;
  grpc::ClientContext context_;
  std::unique_ptr<grpc::ClientReader<v1::Update>> reader_;
};

std::chrono::seconds soak_length() {
  const char* asked = std::getenv("ASIO_CONSOLE_SOAK_SECONDS");
  return std::chrono::seconds(asked != nullptr ? std::max(20L, std::strtol(asked, nullptr, 10)) : 45L);
}

// The resident set of a process, sampled every 100 ms on a thread of its own.
class memory_sampler {
 public:
  explicit memory_sampler(pid_t pid)
      : thread_([this, pid](std::stop_token stop) {
          while (!stop.stop_requested()) {
            const long kib = resident_kib(pid);
            {
              std::lock_guard lock(mutex_);
              samples_.push_back({std::chrono::steady_clock::now(), kib});
            }
            std::this_thread::sleep_for(100ms);
          }
        }) {}
  struct sample {
    std::chrono::steady_clock::time_point at;
    long kib;
  };
  std::vector<sample> samples() {
    std::lock_guard lock(mutex_);
    return samples_;
  }

 private:
  std::mutex mutex_;
  std::vector<sample> samples_;
  std::jthread thread_;  // last: joined before the samples go
};

// The sample in [from, to) that `fraction` of them do not exceed.
long quantile(const std::vector<memory_sampler::sample>& samples, std::chrono::steady_clock::time_point from,
              std::chrono::steady_clock::time_point to, double fraction) {
  std::vector<long> in;
  for (const auto& s : samples) {
    if (s.at >= from && s.at < to) in.push_back(s.kib);
  }
  if (in.empty()) return 0;
  const auto at = in.begin() + static_cast<long>(fraction * static_cast<double>(in.size() - 1));
  std::nth_element(in.begin(), at, in.end());
  return *at;
}

// The highest and lowest sample in [from, to).
std::pair<long, long> extremes(const std::vector<memory_sampler::sample>& samples, std::chrono::steady_clock::time_point from,
                               std::chrono::steady_clock::time_point to) {
  long highest = 0, lowest = 0;
  for (const auto& s : samples) {
    if (s.at < from || s.at >= to) continue;
    highest = std::max(highest, s.kib);
    lowest = lowest == 0 ? s.kib : std::min(lowest, s.kib);
  }
  return {highest, lowest};
}

TEST(Soak, MemoryStaysFlatWhileTasksChurnWithAStalledAndAReconnectingConsole) {
  const auto length = soak_length();
  const auto warm_up = length * 2 / 5;
  const std::string address = "127.0.0.1:" + std::to_string(asio_console::testing::free_loopback_port());
  // A stalled console is cut off after a second without reading (the shortest stall_timeout), so
  // that each round's rises and falls within the round; finished tasks are kept 2 s, so that the
  // process reaches its steady state well within the warm-up.
  child_process churn({CHURN_BINARY, "--rate=10000"},
                      {"ASIO_CONSOLE_BIND=" + address, "ASIO_CONSOLE_PUBLISH_INTERVAL=10ms",
                       "ASIO_CONSOLE_STALL_TIMEOUT=1s", "ASIO_CONSOLE_RETENTION=2s"});
  const auto started = churn.read_line(10s);
  ASSERT_TRUE(started && started->starts_with("churning")) << "churn did not start";
  memory_sampler memory(churn.pid());

  const auto begin = std::chrono::steady_clock::now();
  std::uint64_t spawned_at_warm_up = 0, spawned = 0, cut_off = 0, rounds = 0;
  std::vector<std::chrono::steady_clock::time_point> round_ends;  // of the rounds after the warm-up
  for (auto now = begin; now - begin < length; now = std::chrono::steady_clock::now()) {
    // Each round: a stalled console attached for all of it (the server cuts it off), and a
    // reconnecting console that takes a fresh snapshot and reads for three seconds.
    stalled_console stalled(address);
    update_reader reader(address);
    const bool whole = reader.read_until([](const auto& model) { return model.snapshots > 0; }, 10s);
    ASSERT_TRUE(whole) << "a reconnecting console got no snapshot";
    ++rounds;
    reader.read_until([](const auto&) { return false; }, 3s);
    spawned = reader.model().counters.spawned();
    cut_off = std::max<std::uint64_t>(cut_off, reader.model().counters.dropped_watchers());
    (void)reader.finish();
    ASSERT_GT(resident_kib(churn.pid()), 0) << "churn exited";
    if (std::chrono::steady_clock::now() - begin < warm_up) continue;
    if (round_ends.empty()) spawned_at_warm_up = spawned;
    round_ends.push_back(std::chrono::steady_clock::now());
  }
  const auto end = std::chrono::steady_clock::now();
  const std::vector<memory_sampler::sample> samples = memory.samples();

  // Flat: the highs (what the process keeps, plus a stalled console's buffers until it is cut off
  // and a snapshot being sent, both bounded) at the end stay within 5% of the warm-up's: the 90th
  // percentile of the samples in two windows as long as each other. The highest sample of a window
  // moved by up to 10% from one to the next with nothing growing (an occasional spike), and the
  // highest of more rounds is higher by chance alone (the warm-up's second half against everything
  // after it failed one 30 s run in three or four). A process that kept more and more would raise
  // them all. What it keeps between peaks (each round's lowest point) moves by ±10% from round to
  // round with what malloc holds and trims: it is printed, halves compared, and the long run in
  // BENCHMARKS.md follows its trend.
  std::vector<long> lows;
  for (std::size_t round = 1; round < round_ends.size(); ++round) {
    lows.push_back(extremes(samples, round_ends[round - 1], round_ends[round]).second);
  }
  ASSERT_GE(lows.size(), 2u) << "too few rounds after the warm-up";
  const auto mean = [](auto from, auto to) { return std::accumulate(from, to, 0.0) / static_cast<double>(to - from); };
  const auto half = lows.begin() + static_cast<long>(lows.size() / 2);
  const double first_half = mean(lows.begin(), half), second_half = mean(half, lows.end());
  const long warm_high = quantile(samples, begin + warm_up / 2, begin + warm_up, 0.9);
  const long high = quantile(samples, end - warm_up / 2, end, 0.9);
  std::string trace, lows_trace;
  for (std::size_t i = 0; i < samples.size(); i += 10) {
    trace += std::to_string((samples[i].at - begin) / 1s) + "s:" + std::to_string(samples[i].kib / 1024) + " ";
  }
  for (long low : lows) lows_trace += std::to_string(low / 1024) + " ";
  const double seconds = std::chrono::duration<double>(end - begin - warm_up).count();
  const double rate = static_cast<double>(spawned - spawned_at_warm_up) / seconds;
  std::printf("soak: %.0f spawns/s for %.0f s after a %lld s warm-up, %llu rounds, %llu consoles cut off\n"
              "soak: each round's low (MiB): %s; mean %.0f then %.0f KiB (%+.1f%%)\n"
              "soak: 90th percentiles (KiB): warm-up's second half %ld, as long a stretch at the end %ld; every second (MiB): %s\n",
              rate, seconds, static_cast<long long>(warm_up.count()), static_cast<unsigned long long>(rounds),
              static_cast<unsigned long long>(cut_off), lows_trace.c_str(), first_half, second_half,
              100.0 * (second_half - first_half) / first_half, warm_high, high,
              trace.c_str());
  EXPECT_GT(rate, 5000) << "the process did not churn: " << spawned << " spawned";
  EXPECT_GT(cut_off, 0u) << "the stalled consoles were never cut off";
  EXPECT_LE(high, warm_high + warm_high / 20) << "the highs rose more than 5% from the warm-up to the end: " << trace;
}

}  // namespace
