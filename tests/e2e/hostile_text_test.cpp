// Application text that is not UTF-8 and holds terminal escapes (tests/e2e/hostile_text_target.cpp),
// through every output: the text dump, --stacks, JSON, the UI, a recording, the metrics endpoint
// and a real Prometheus. Each shows the bytes escaped, and none is blinded.
#include <gtest/gtest.h>

#include <boost/json.hpp>
#include <boost/locale/utf.hpp>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <map>
#include <set>
#include <string>
#include <unistd.h>

#include "console/support/tmux_session.hpp"
#include "e2e/prometheus_process.hpp"
#include "support/http_get.hpp"
#include "support/process.hpp"
#include "support/prometheus_text.hpp"

namespace {

namespace json = boost::json;
using namespace std::chrono_literals;
using asio_console::testing::command_result;
using asio_console::testing::console_binary;
using asio_console::testing::free_loopback_port;
using asio_console::testing::run_command;
using asio_console::testing::start_target;
using asio_console::testing::started_target;

// What the target's hostile text reads as once escaped.
const std::string escaped_name = R"(name-\xff\xfe-\x1b]0;retitled\x07-\x1b[2J)";
const std::string escaped_path_field = R"(/search?q=\xff\xfe)";
const std::string escaped_file = R"(src/path-\xff\xfe-\x1b]52;c;cHduZWQ=\x07.cpp)";

bool contains(const std::string& text, const std::string& part) { return text.find(part) != std::string::npos; }

// The first byte a terminal would act on (below 0x20 but newline, or DEL), or npos.
std::size_t first_control_byte(const std::string& text) {
  for (std::size_t i = 0; i < text.size(); ++i) {
    const auto byte = static_cast<unsigned char>(text[i]);
    if ((byte < 0x20 && byte != '\n') || byte == 0x7f) return i;
  }
  return std::string::npos;
}

bool valid_utf8(const std::string& text) {
  namespace utf = boost::locale::utf;
  for (auto p = text.begin(); p != text.end();) {
    const utf::code_point c = utf::utf_traits<char>::decode(p, text.end());
    if (c == utf::illegal || c == utf::incomplete) return false;
  }
  return true;
}

started_target hostile_target(const std::vector<std::string>& args = {}) {
  return start_target(HOSTILE_TEXT_TARGET_BINARY, args);
}

command_result console(const std::vector<std::string>& args, std::chrono::milliseconds timeout = 30s) {
  std::vector<std::string> argv = {console_binary()};
  argv.insert(argv.end(), args.begin(), args.end());
  return run_command(argv, timeout);
}

TEST(HostileText, TheTextDumpShowsTheBytesEscapedAndWritesNoControlCharacter) {
  started_target target = hostile_target();
  const command_result dump = console({"dump", target.address});
  ASSERT_EQ(dump.exit_code, 0) << dump.err;
  EXPECT_TRUE(contains(dump.out, escaped_name)) << dump.out;
  EXPECT_TRUE(contains(dump.out, escaped_path_field)) << dump.out;
  EXPECT_TRUE(contains(dump.out, R"(src/path-\xff\xfe)")) << dump.out;
  EXPECT_EQ(first_control_byte(dump.out), std::string::npos) << dump.out;
  EXPECT_EQ(first_control_byte(dump.err), std::string::npos) << dump.err;
}

TEST(HostileText, TheStacksDumpWritesNoControlCharacter) {
  started_target target = hostile_target();
  const command_result dump = console({"dump", target.address, "--stacks"});
  ASSERT_EQ(dump.exit_code, 0) << dump.err;
  EXPECT_TRUE(contains(dump.out, R"(\xff\xfe)")) << dump.out;
  EXPECT_EQ(first_control_byte(dump.out), std::string::npos) << dump.out;
}

TEST(HostileText, TheJsonDumpIsValidUtf8AndHoldsTheEscapedText) {
  started_target target = hostile_target();
  const command_result dump = console({"dump", target.address, "--json"});
  ASSERT_EQ(dump.exit_code, 0) << dump.err;
  ASSERT_TRUE(valid_utf8(dump.out));
  const json::object root = json::parse(dump.out).as_object();  // throws on invalid JSON
  bool named = false;
  bool hostile_site = false;
  for (const json::value& task : root.at("tasks").as_array()) {
    if (task.at("name").as_string() == "from-hostile-path") {
      hostile_site = task.at("location").at("file").as_string() == escaped_file;
    }
    if (task.at("name").as_string() != escaped_name) continue;
    named = true;
    EXPECT_EQ(task.at("fields").at("path").as_string(), escaped_path_field);
    EXPECT_EQ(task.at("fields").at(R"(color\x1b[31m)").as_string(), R"(red\x7f)");
  }
  EXPECT_TRUE(named) << dump.out;
  EXPECT_TRUE(hostile_site) << dump.out;
}

TEST(HostileText, TheUiShowsTheEscapedName) {
  started_target target = hostile_target();
  asio_console::testing::tmux_session tmux(console_binary() + " " + target.address, 200, 40);
  std::string screen;
  // The name column is cut to its width; the fields and the file show the rest.
  EXPECT_TRUE(tmux.wait_for_text(R"(name-\xff\xfe-\x1)", &screen)) << screen;
  EXPECT_TRUE(contains(screen, R"(path=/search?q=\xff\xfe color\x1b[31m=red\x7f)")) << screen;
  EXPECT_TRUE(contains(screen, R"(src/path-\xff\xfe-\x1b]52;c)")) << screen;
}

TEST(HostileText, ARecordingHoldsTheTextAndReplaysItEscaped) {
  started_target target = hostile_target();
  const std::string path =
      (std::filesystem::temp_directory_path() / ("hostile-text-" + std::to_string(::getpid()) + ".rec")).string();
  const command_result recorded = console({"record", target.address, "--output=" + path, "--duration=2s"});
  ASSERT_EQ(recorded.exit_code, 0) << recorded.err;
  const command_result dump = console({"dump", path});
  EXPECT_EQ(dump.exit_code, 0) << dump.err;
  EXPECT_TRUE(contains(dump.out, escaped_name)) << dump.out;
  EXPECT_EQ(first_control_byte(dump.out), std::string::npos) << dump.out;
  std::filesystem::remove(path);
}

// Every site series of one metric, by its `site` label.
std::map<std::string, std::map<std::string, std::string>> site_series(const std::string& exposition) {
  std::map<std::string, std::map<std::string, std::string>> by_site;
  for (const auto& sample : asio_console::testing::parse_samples(exposition)) {
    if (sample.name != "asio_console_site_live_tasks") continue;
    EXPECT_FALSE(by_site.contains(sample.labels.at("site"))) << "two series labelled " << sample.labels.at("site");
    by_site[sample.labels.at("site")] = sample.labels;
  }
  return by_site;
}

TEST(HostileText, MetricsLabelsAreValidUtf8EscapedAndOneSeriesPerSite) {
  const std::string metrics = "127.0.0.1:" + std::to_string(free_loopback_port());
  started_target target = hostile_target({"--metrics_bind=" + metrics});
  const auto scrape = asio_console::testing::http_get(metrics, "/metrics", 5s);
  ASSERT_TRUE(scrape && scrape->status == 200);
  EXPECT_TRUE(valid_utf8(scrape->body));
  const auto sites = site_series(scrape->body);
  bool hostile_file = false;
  int on_the_shared_line = 0;
  for (const auto& [site, labels] : sites) {
    hostile_file = hostile_file || labels.at("file") == escaped_file;
    if (contains(labels.at("function"), "spawn_twice_on_one_line")) ++on_the_shared_line;
  }
  EXPECT_TRUE(hostile_file) << scrape->body;
  EXPECT_EQ(on_the_shared_line, 2) << scrape->body;

  if (::access("/usr/bin/promtool", X_OK) != 0) GTEST_SKIP() << "promtool is not installed (Debian prometheus)";
  const std::string file = (std::filesystem::temp_directory_path() / ("hostile-text-" + std::to_string(::getpid()) + ".prom")).string();
  std::ofstream(file) << scrape->body;
  const command_result check = run_command({"/bin/sh", "-c", "promtool check metrics < " + file}, 30s);
  EXPECT_EQ(check.exit_code, 0) << check.out << check.err;
  std::filesystem::remove(file);
}

TEST(HostileText, ARealPrometheusScrapesTheProcessAndKeepsTheEscapedLabels) {
  if (asio_console::testing::prometheus_binary().empty()) GTEST_SKIP() << "Debian's prometheus is not installed";
  const std::string metrics = "127.0.0.1:" + std::to_string(free_loopback_port());
  started_target target = hostile_target({"--metrics_bind=" + metrics});
  asio_console::testing::prometheus_server prometheus({metrics});
  const auto deadline = std::chrono::steady_clock::now() + 30s;
  json::array found;
  while (std::chrono::steady_clock::now() < deadline) {
    found = prometheus.query(R"(asio_console_site_live_tasks{file=~".*path-.*"})");
    if (!found.empty()) break;
    std::this_thread::sleep_for(500ms);
  }
  ASSERT_FALSE(found.empty()) << "Prometheus never stored the hostile site's series";
  EXPECT_EQ(found[0].at("metric").at("file").as_string(), escaped_file);
  const json::array up = prometheus.query("up");
  ASSERT_FALSE(up.empty());
  EXPECT_EQ(up[0].at("value").as_array()[1].as_string(), "1");
}

}  // namespace
