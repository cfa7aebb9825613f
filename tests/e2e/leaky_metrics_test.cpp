// The demo's leak seen the fleet's way: examples/leaky_server serving metrics, scraped directly
// (the per-site series against `dump --json`) and by a real Prometheus that evaluates the shipped
// leak alert's expression.
#include <gtest/gtest.h>

#include <boost/json.hpp>
#include <chrono>
#include <string>
#include <thread>

#include "e2e/leaky_server_process.hpp"
#include "e2e/prometheus_process.hpp"
#include "support/http_get.hpp"
#include "support/prometheus_text.hpp"

namespace {
namespace json = boost::json;
using namespace std::chrono_literals;
using namespace asio_console::testing;

// Scrapes until the endpoint answers (the process is starting), for at most 20 s.
std::string scrape_when_up(const leaky_server& server) {
  const auto deadline = std::chrono::steady_clock::now() + 20s;
  while (std::chrono::steady_clock::now() < deadline) {
    if (const auto reply = http_get(server.metrics, "/metrics", 2s); reply && reply->status == 200) return reply->body;
    std::this_thread::sleep_for(100ms);
  }
  ADD_FAILURE() << "no metrics on " << server.metrics;
  return {};
}

// The leak alert's expression with its 30-minute windows shortened to what a test can wait for.
std::string leak_expression_over(const std::string& window) {
  std::string expression = alert_expression("AsioConsoleTaskLeak");
  for (std::size_t at = expression.find("[30m]"); at != std::string::npos; at = expression.find("[30m]", at)) {
    expression.replace(at, 5, "[" + window + "]");
  }
  return expression;
}

bool names_the_spawn_wrapper(const json::value& result) {
  const json::object& labels = result.at("metric").as_object();
  return labels.contains("function") &&
         std::string(labels.at("function").as_string()).find("app::spawn") != std::string::npos;
}

TEST(LeakyMetrics, PerSiteSeriesMatchTheDumpsSiteCounts) {
  leaky_server server({"--load=0"}, /*serve_metrics=*/true);
  scrape_when_up(server);
  for (int i = 0; i < 25; ++i) {  // each request leaks one reporter task
    const auto reply = http_get("127.0.0.1:" + std::to_string(server.http_port), "/request-" + std::to_string(i));
    ASSERT_TRUE(reply && reply->status == 200) << "request " << i;
  }
  // The sessions end as their clients leave; then nothing changes but the heartbeat's second wake,
  // which may catch one of the two reads mid-poll: compare until both agree, three times at most.
  std::this_thread::sleep_for(500ms);
  std::string mismatch;
  for (int attempt = 0; attempt < 3; ++attempt) {
    const std::optional<json::object> dump = server.dump();
    ASSERT_TRUE(dump.has_value());
    const std::vector<sample> samples = parse_samples(scrape_when_up(server));
    mismatch.clear();
    int sites = 0;
    for (const json::value& site : dump->at("sites").as_array()) {
      const json::object& location = site.at("location").as_object();
      const std::string key = std::string(location.at("file").as_string()) + ":" +
                              std::to_string(location.at("line").to_number<int>());
      const auto metric = [&](const std::string& name) {
        for (const sample& s : samples_named(samples, name)) {
          if (s.labels.at("site") == key) return s.value;
        }
        return -1.0;
      };
      const auto compare = [&](const char* field, const std::string& name) {
        const double expected = site.at(field).to_number<double>();
        if (metric(name) != expected) {
          mismatch += key + " " + field + ": dump " + std::to_string(expected) + ", metrics " +
                      std::to_string(metric(name)) + "\n";
        }
      };
      compare("live", "asio_console_site_live_tasks");
      compare("idle", "asio_console_site_idle_tasks");
      compare("spawned", "asio_console_site_spawned_tasks_total");
      compare("completed", "asio_console_site_finished_tasks_total");
      ++sites;
    }
    EXPECT_GE(sites, 3) << "the listener's, the sessions' and the spawn wrapper's";
    if (mismatch.empty()) break;
    std::this_thread::sleep_for(300ms);
  }
  EXPECT_EQ(mismatch, "");
  const std::vector<sample> samples = parse_samples(scrape_when_up(server));
  bool leak_seen = false;
  for (const sample& s : samples_named(samples, "asio_console_site_live_tasks")) {
    if (s.labels.at("function").find("app::spawn") != std::string::npos) leak_seen = s.value >= 25;
  }
  EXPECT_TRUE(leak_seen) << "the wrapper's site holds the 25 leaked reporters";
}

class PrometheusTest : public ::testing::Test {
 protected:
  void SetUp() override {
    if (prometheus_binary().empty()) {
      GTEST_SKIP() << "Debian's prometheus is not installed (scripts/install-deps.sh installs it); skipping the "
                      "end-to-end alert test";
    }
  }
  // Waits until Prometheus has scraped the target and holds its site series.
  static void wait_for_samples(const prometheus_server& prometheus) {
    const auto deadline = std::chrono::steady_clock::now() + 30s;
    while (std::chrono::steady_clock::now() < deadline) {
      if (!prometheus.query("asio_console_site_live_tasks").empty()) return;
      std::this_thread::sleep_for(500ms);
    }
    FAIL() << "Prometheus never scraped the leaky server's site series";
  }
  static double wrapper_live(const prometheus_server& prometheus) {
    for (const json::value& result : prometheus.query("asio_console_site_live_tasks")) {
      if (names_the_spawn_wrapper(result)) return value_of(result);
    }
    return -1;
  }
};

TEST_F(PrometheusTest, TheLeakingSitesLiveCountRisesAndTheLeakExpressionTurnsTrue) {
  leaky_server server({}, /*serve_metrics=*/true);  // 200 requests/s of built-in load, each leaking
  scrape_when_up(server);
  prometheus_server prometheus({server.metrics});
  const std::string rules = json::serialize(prometheus.api("/api/v1/rules"));
  EXPECT_NE(rules.find("AsioConsoleTaskLeak"), std::string::npos) << "the shipped rules load: " << rules;
  EXPECT_NE(rules.find("AsioConsoleLongPolls"), std::string::npos) << rules;
  wait_for_samples(prometheus);

  const double before = wrapper_live(prometheus);
  std::this_thread::sleep_for(3s);
  const double after = wrapper_live(prometheus);
  EXPECT_GT(before, -1) << "a series for the spawn wrapper's site";
  EXPECT_GT(after, before + 100) << "live reporters rise at about 200 a second";

  const std::string expression = leak_expression_over("15s");
  bool fired = false;
  json::array last;
  const auto deadline = std::chrono::steady_clock::now() + 60s;
  while (!fired && std::chrono::steady_clock::now() < deadline) {
    last = prometheus.query(expression);
    for (const json::value& result : last) fired = fired || names_the_spawn_wrapper(result);
    if (!fired) std::this_thread::sleep_for(1s);
  }
  EXPECT_TRUE(fired) << expression << " -> " << json::serialize(last);
  for (const json::value& result : last) {
    EXPECT_TRUE(names_the_spawn_wrapper(result)) << "only the leaking site: " << json::serialize(result);
  }
}

TEST_F(PrometheusTest, WithTheFixTheLeakExpressionStaysFalse) {
  leaky_server server({"--fixed"}, /*serve_metrics=*/true);
  scrape_when_up(server);
  prometheus_server prometheus({server.metrics});
  wait_for_samples(prometheus);
  const std::string expression = leak_expression_over("15s");
  // Past a whole window of samples, and then some: never true, while the requests go on.
  const auto until = std::chrono::steady_clock::now() + 25s;
  int evaluations = 0;
  while (std::chrono::steady_clock::now() < until) {
    const json::array result = prometheus.query(expression);
    EXPECT_TRUE(result.empty()) << expression << " -> " << json::serialize(result);
    ++evaluations;
    std::this_thread::sleep_for(1s);
  }
  EXPECT_GE(evaluations, 15);
  EXPECT_GE(wrapper_live(prometheus), 0) << "the reporters' site is scraped";
  EXPECT_LT(wrapper_live(prometheus), 50) << "reporters end with their requests";
  EXPECT_FALSE(prometheus.query("asio_console_tasks_spawned_total > 1000").empty()) << "the load ran";
}

}  // namespace
