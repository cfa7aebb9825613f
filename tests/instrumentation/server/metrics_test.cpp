// The metrics endpoint (serve_options::metrics_bind) scraped over real HTTP on loopback: what
// promtool accepts, counters that never go down, the top sites and `other`, refused addresses.
#include <gtest/gtest.h>

#include <asio_console/asio_console.hpp>
#include <boost/asio.hpp>
#include <atomic>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <map>
#include <thread>
#include <unistd.h>

#include "discovery/process_directory.hpp"
#include "site_selection.hpp"
#include "support/http_get.hpp"
#include "support/prometheus_text.hpp"

namespace {
namespace asio = boost::asio;
using namespace std::chrono_literals;
using asio_console::testing::http_get;
using asio_console::testing::parse_samples;
using asio_console::testing::sample;
using asio_console::testing::samples_named;

asio_console::serve_options metrics_options(std::size_t top_sites = 20) {
  asio_console::serve_options options;
  options.bind = "127.0.0.1:0";
  options.metrics_bind = "127.0.0.1:0";
  options.metrics_top_sites = top_sites;
  return options;
}

std::string scrape(const asio_console::server& server) {
  const auto reply = http_get(server.metrics_address(), "/metrics");
  if (!reply || reply->status != 200) {
    ADD_FAILURE() << "no scrape from " << server.metrics_address();
    return {};
  }
  return reply->body;
}

// The value of the only sample named `name` whose labels include `labels`; -1 when there is none.
double value_of(const std::vector<sample>& samples, const std::string& name,
                const std::map<std::string, std::string>& labels = {}) {
  for (const sample& s : samples_named(samples, name)) {
    bool match = true;
    for (const auto& [key, value] : labels) match = match && s.labels.count(key) && s.labels.at(key) == value;
    if (match) return s.value;
  }
  return -1;
}

// Tasks that wait on a timer until released, spawned at the caller's line (each call site of
// `spawn_waiting_here` in this file is a spawn site of its own).
class waiting_tasks {
 public:
  waiting_tasks() : runner_([this] { ctx_.run(); }) {}
  ~waiting_tasks() {
    asio::post(ctx_, [this] { release_.cancel(); });
    work_.reset();
    runner_.join();
  }
  void spawn(int count, std::source_location where = std::source_location::current()) {
    std::atomic<int> spawned{0};
    asio::post(ctx_, [&] {
      for (int i = 0; i < count; ++i) {
        asio_console::co_spawn(ctx_, wait(), asio::detached, {.location = where});
      }
      spawned = count;
    });
    while (spawned.load() != count) std::this_thread::sleep_for(1ms);
  }
  std::string site_of(std::source_location where) const {
    return std::string(where.file_name()) + ":" + std::to_string(where.line());
  }

 private:
  asio::awaitable<void> wait() {
    boost::system::error_code ignored;
    co_await release_.async_wait(asio::redirect_error(asio::use_awaitable, ignored));
  }

  asio::io_context ctx_;
  asio::executor_work_guard<asio::io_context::executor_type> work_ = asio::make_work_guard(ctx_);
  asio::steady_timer release_{ctx_, asio::steady_timer::time_point::max()};
  std::thread runner_;
};

TEST(Metrics, OffUnlessAskedFor) {
  asio_console::serve_options options;
  options.bind = "127.0.0.1:0";
  asio_console::server server = asio_console::serve(options);
  ASSERT_TRUE(server.ok()) << server.status();
  EXPECT_TRUE(server.metrics_address().empty());
}

TEST(Metrics, TheProcessEntryNamesTheMetricsAddress) {
  asio_console::server server = asio_console::serve(metrics_options());
  ASSERT_TRUE(server.ok()) << server.status();
  const auto processes = asio_console::discovery::list_processes();
  ASSERT_TRUE(processes.ok()) << processes.status();
  bool found = false;
  for (const asio_console::discovery::process_entry& entry : processes->processes) {
    if (entry.pid != ::getpid() || entry.console != server.address()) continue;
    found = true;
    EXPECT_EQ(entry.metrics, server.metrics_address());
  }
  EXPECT_TRUE(found) << "an entry for this server in " << asio_console::discovery::directory_path();
}

TEST(Metrics, AScrapeIsPrometheusTextThatPromtoolAccepts) {
  asio_console::server server = asio_console::serve(metrics_options());
  ASSERT_TRUE(server.ok()) << server.status();
  ASSERT_NE(server.metrics_address().find("127.0.0.1:"), std::string::npos) << server.metrics_address();
  waiting_tasks tasks;
  const auto here = std::source_location::current();
  tasks.spawn(3, here);
  {
    asio::io_context ctx;
    asio_console::co_spawn(ctx, []() -> asio::awaitable<void> { co_return; }, asio::detached);
    asio_console::co_spawn(ctx, []() -> asio::awaitable<void> { throw std::runtime_error("failing"); }, asio::detached);
    ctx.run();
  }

  const std::string text = scrape(server);
  const std::vector<sample> samples = parse_samples(text);
  EXPECT_EQ(value_of(samples, "asio_console_site_live_tasks", {{"site", tasks.site_of(here)}}), 3) << text;
  EXPECT_EQ(value_of(samples, "asio_console_site_idle_tasks", {{"site", tasks.site_of(here)}}), 3) << text;
  EXPECT_EQ(value_of(samples, "asio_console_site_spawned_tasks_total", {{"site", tasks.site_of(here)}}), 3);
  EXPECT_EQ(value_of(samples, "asio_console_site_live_tasks",
                     {{"file", here.file_name()}, {"line", std::to_string(here.line())}}),
            3);
  EXPECT_GE(value_of(samples, "asio_console_tasks_finished_total", {{"outcome", "failed"}}), 1) << text;
  EXPECT_GE(value_of(samples, "asio_console_tasks_finished_total", {{"outcome", "completed"}}), 1) << text;
  EXPECT_GE(value_of(samples, "asio_console_tasks", {{"state", "idle"}}), 3) << text;
  EXPECT_GE(value_of(samples, "asio_console_polls_total"), 5) << text;
  EXPECT_GT(value_of(samples, "asio_console_recorder_memory_bytes"), 0) << text;
  EXPECT_GE(value_of(samples, "asio_console_pending_work"), 3) << text;  // the timer waits hold work
  EXPECT_EQ(value_of(samples, "asio_console_long_polls_total"), 0) << text;
  // Live tasks by state add up to spawned - finished (nothing spawns or finishes meanwhile).
  double live_by_state = 0;
  for (const sample& s : samples_named(samples, "asio_console_tasks")) live_by_state += s.value;
  double finished = 0;
  for (const sample& s : samples_named(samples, "asio_console_tasks_finished_total")) finished += s.value;
  EXPECT_EQ(live_by_state, value_of(samples, "asio_console_tasks_spawned_total") - finished) << text;

  // The text format, checked by Prometheus's own tool, lint included.
  if (std::system("command -v promtool >/dev/null") != 0) {
    GTEST_SKIP() << "promtool is not installed (Debian's prometheus package; scripts/install-deps.sh installs it)";
  }
  const auto file = std::filesystem::temp_directory_path() / ("asio-console-metrics-" + std::to_string(::getpid()));
  std::ofstream(file) << text;
  const std::string command = "promtool check metrics < " + file.string() + " > " + file.string() + ".out 2>&1";
  const int status = std::system(command.c_str());
  std::ifstream out(file.string() + ".out");
  const std::string verdict((std::istreambuf_iterator<char>(out)), std::istreambuf_iterator<char>());
  EXPECT_EQ(status, 0) << verdict << "\n" << text;
  std::filesystem::remove(file);
  std::filesystem::remove(file.string() + ".out");
}

TEST(Metrics, CountersNeverGoDownAcrossScrapesWhileTasksChurnOnTwoThreads) {
  asio_console::instrumentation::registry& registry = asio_console::instrumentation::registry::instance();
  const asio_console::instrumentation::recorder_options saved = registry.options();
  asio_console::instrumentation::recorder_options churning = saved;
  churning.retention = absl::ZeroDuration();  // finished records are reclaimed at once: totals move
  registry.configure(churning);
  asio_console::server server = asio_console::serve(metrics_options());
  ASSERT_TRUE(server.ok()) << server.status();

  std::atomic<bool> stop{false};
  std::vector<std::thread> churn;
  for (int t = 0; t < 2; ++t) {
    churn.emplace_back([&] {
      asio::io_context ctx;
      while (!stop.load()) {
        for (int i = 0; i < 200; ++i) {
          asio_console::co_spawn(ctx, []() -> asio::awaitable<void> {
            co_await asio::post(co_await asio::this_coro::executor, asio::use_awaitable);  // a wake
          }, asio::detached);
        }
        ctx.restart();
        ctx.run();
      }
    });
  }
  std::map<std::string, double> last;
  int series_checked = 0;
  for (int scrape_number = 0; scrape_number < 30; ++scrape_number) {
    for (const sample& s : parse_samples(scrape(server))) {
      if (!s.name.ends_with("_total")) continue;
      const std::string key = s.series();
      if (const auto before = last.find(key); before != last.end()) {
        EXPECT_GE(s.value, before->second) << key << " went down at scrape " << scrape_number;
        ++series_checked;
      }
      last[key] = s.value;
    }
    std::this_thread::sleep_for(20ms);
  }
  stop = true;
  for (std::thread& t : churn) t.join();
  registry.configure(saved);
  EXPECT_GT(series_checked, 29 * 10);
  EXPECT_GT(last["asio_console_polls_total{}"], 1000) << "the churn polled";
  EXPECT_GT(last["asio_console_wakes_total{}"], 1000) << "the churn woke its tasks";
}

TEST(Metrics, OnlyTheTopSitesHaveSeriesTheRestAreOther) {
  asio_console::server server = asio_console::serve(metrics_options(/*top_sites=*/2));
  ASSERT_TRUE(server.ok()) << server.status();
  waiting_tasks tasks;
  // Sites of other tests in this program have no live tasks: these four are the top ones.
  const auto first = std::source_location::current();
  tasks.spawn(50, first);
  const auto second = std::source_location::current();
  tasks.spawn(40, second);
  const auto third = std::source_location::current();
  tasks.spawn(30, third);
  const auto fourth = std::source_location::current();
  tasks.spawn(1, fourth);

  std::vector<sample> samples = parse_samples(scrape(server));
  std::vector<sample> live = samples_named(samples, "asio_console_site_live_tasks");
  ASSERT_EQ(live.size(), 3u) << "two sites and other";
  EXPECT_EQ(value_of(samples, "asio_console_site_live_tasks", {{"site", tasks.site_of(first)}}), 50);
  EXPECT_EQ(value_of(samples, "asio_console_site_live_tasks", {{"site", tasks.site_of(second)}}), 40);
  EXPECT_EQ(value_of(samples, "asio_console_site_live_tasks", {{"site", tasks.site_of(third)}}), -1);
  EXPECT_EQ(value_of(samples, "asio_console_site_live_tasks", {{"site", "other"}}), 31);
  const double other_spawned = value_of(samples, "asio_console_site_spawned_tasks_total", {{"site", "other"}});
  EXPECT_GE(other_spawned, 31);

  // The fourth site overtakes the second: it gets series of its own (its whole count), and
  // other's counters do not go down for it.
  tasks.spawn(60, fourth);
  samples = parse_samples(scrape(server));
  EXPECT_EQ(value_of(samples, "asio_console_site_live_tasks", {{"site", tasks.site_of(fourth)}}), 61);
  EXPECT_EQ(value_of(samples, "asio_console_site_spawned_tasks_total", {{"site", tasks.site_of(fourth)}}), 61);
  EXPECT_EQ(value_of(samples, "asio_console_site_live_tasks", {{"site", tasks.site_of(second)}}), -1);
  EXPECT_EQ(value_of(samples, "asio_console_site_live_tasks", {{"site", "other"}}), 70);
  EXPECT_GE(value_of(samples, "asio_console_site_spawned_tasks_total", {{"site", "other"}}), other_spawned);
}

TEST(SiteSelection, OtherCountsWhatSitesDidOutsideTheTopAndNeverGoesDown) {
  using asio_console::server_internal::site_counts;
  asio_console::server_internal::site_selection selection(1);
  site_counts other;
  bool has_other = false;
  // Site 1 leads, then site 2 overtakes it, then site 1 leads again.
  auto chosen = selection.choose({{1, 10, 0, 10, 0}, {2, 5, 0, 5, 0}}, other, has_other);
  ASSERT_TRUE(has_other);
  EXPECT_EQ(chosen.at(0).id, 1u);
  EXPECT_EQ(other.spawned, 5u);
  // What a site did between two scrapes counts where it stood at the first of them.
  chosen = selection.choose({{1, 10, 0, 12, 2}, {2, 20, 0, 25, 5}}, other, has_other);
  EXPECT_EQ(chosen.at(0).id, 2u);
  EXPECT_EQ(chosen.at(0).spawned, 25u) << "a chosen site's counters are its own, whole";
  EXPECT_EQ(other.spawned, 25u) << "site 2 was outside until now; site 1 inside";
  EXPECT_EQ(other.finished, 5u);
  EXPECT_EQ(other.live, 10u);
  chosen = selection.choose({{1, 30, 0, 40, 10}, {2, 20, 0, 26, 6}}, other, has_other);
  EXPECT_EQ(chosen.at(0).id, 1u);
  EXPECT_EQ(other.spawned, 25u + 28u) << "site 1's 28 spawns while it was outside are added";
  EXPECT_EQ(other.finished, 5u + 8u);
  // A tie keeps the site in place.
  chosen = selection.choose({{1, 30, 0, 40, 10}, {2, 30, 0, 36, 6}}, other, has_other);
  EXPECT_EQ(chosen.at(0).id, 1u);
  // No more sites than N: all of them, and no other.
  asio_console::server_internal::site_selection roomy(5);
  chosen = roomy.choose({{1, 1, 0, 1, 0}, {2, 2, 0, 2, 0}}, other, has_other);
  EXPECT_EQ(chosen.size(), 2u);
  EXPECT_FALSE(has_other);
}

TEST(Metrics, AddressesThatCannotServeAreRefusedWithAReason) {
  const auto refused = [](const std::string& metrics_bind, const std::string& reason) {
    asio_console::serve_options options = metrics_options();
    options.metrics_bind = metrics_bind;
    asio_console::server server = asio_console::serve(options);
    EXPECT_FALSE(server.ok()) << metrics_bind;
    EXPECT_NE(server.status().message().find(reason), std::string::npos) << server.status();
    EXPECT_TRUE(server.metrics_address().empty());
  };
  refused("0.0.0.0:0", "not a loopback address");
  refused("unix:/tmp/asio-console-metrics.sock", "Prometheus scrapes host:port");
  refused("nonsense", "bad bind address");
  asio_console::server first = asio_console::serve(metrics_options());
  ASSERT_TRUE(first.ok()) << first.status();
  refused(first.metrics_address(), "in use");
  // The same address with allow_remote is a network one: allowed, and said so.
  asio_console::serve_options remote = metrics_options();
  remote.metrics_bind = "0.0.0.0:0";
  remote.allow_remote = true;
  asio_console::server exposed = asio_console::serve(remote);
  EXPECT_TRUE(exposed.ok()) << exposed.status();
}

}  // namespace
