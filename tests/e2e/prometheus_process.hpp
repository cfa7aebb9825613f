// Debian's real Prometheus as a child process on loopback, scraping given targets every second
// with the project's alerting rules loaded, and asked through its HTTP API.
#pragma once

#include <boost/json.hpp>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <memory>
#include <optional>
#include <sstream>
#include <stdexcept>
#include <string>
#include <thread>
#include <unistd.h>
#include <vector>

#include "support/http_get.hpp"
#include "support/process.hpp"

namespace asio_console::testing {

/// Where Debian's prometheus is, or empty when it is not installed.
inline std::string prometheus_binary() {
  for (const char* path : {"/usr/bin/prometheus", "/usr/local/bin/prometheus"}) {
    if (::access(path, X_OK) == 0) return path;
  }
  return {};
}

/// The shipped rule file (deploy/prometheus/asio-console-rules.yml).
inline std::string rules_file() { return std::string(PROJECT_SOURCE_DIR) + "/deploy/prometheus/asio-console-rules.yml"; }

/// The expression of the alert `name` in the shipped rule file (its `expr:` line).
inline std::string alert_expression(const std::string& name) {
  std::ifstream in(rules_file());
  std::string line;
  bool in_alert = false;
  while (std::getline(in, line)) {
    if (line.find("alert: " + name) != std::string::npos) in_alert = true;
    const auto expr = line.find("expr: ");
    if (in_alert && expr != std::string::npos) return line.substr(expr + 6);
  }
  throw std::runtime_error("no alert " + name + " in " + rules_file());
}

class prometheus_server {
 public:
  /// Starts scraping `targets` ("127.0.0.1:PORT" each) every second; waits until it answers.
  explicit prometheus_server(const std::vector<std::string>& targets)
      : directory_(std::filesystem::temp_directory_path() / ("asio-console-prometheus-" + std::to_string(::getpid()))),
        address_("127.0.0.1:" + std::to_string(free_loopback_port())) {
    std::filesystem::remove_all(directory_);
    std::filesystem::create_directories(directory_);
    std::ofstream config(directory_ / "prometheus.yml");
    config << "global:\n  scrape_interval: 1s\n  evaluation_interval: 1s\n"
           << "rule_files:\n  - " << rules_file() << "\n"
           << "scrape_configs:\n  - job_name: asio-console\n    static_configs:\n      - targets: [";
    for (std::size_t i = 0; i < targets.size(); ++i) config << (i ? ", " : "") << "'" << targets[i] << "'";
    config << "]\n";
    config.close();
    process_ = std::make_unique<child_process>(std::vector<std::string>{
        prometheus_binary(), "--config.file=" + (directory_ / "prometheus.yml").string(),
        "--storage.tsdb.path=" + (directory_ / "data").string(), "--web.listen-address=" + address_,
        "--log.level=error"});
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(30);
    while (std::chrono::steady_clock::now() < deadline) {
      const auto ready = http_get(address_, "/-/ready", std::chrono::seconds(2));
      if (ready && ready->status == 200) return;
      std::this_thread::sleep_for(std::chrono::milliseconds(200));
    }
    throw std::runtime_error("prometheus did not become ready on " + address_);
  }
  ~prometheus_server() {
    process_.reset();
    std::error_code ignored;
    std::filesystem::remove_all(directory_, ignored);
  }

  /// GETs an API path; the parsed JSON reply (throws when there is none or it is not "success").
  boost::json::object api(const std::string& target) const {
    const auto reply = http_get(address_, target);
    if (!reply) throw std::runtime_error("prometheus did not answer " + target);
    boost::json::object root = boost::json::parse(reply->body).as_object();
    if (root.at("status").as_string() != "success") throw std::runtime_error(reply->body);
    return root;
  }
  /// An instant query's result vector.
  boost::json::array query(const std::string& expression) const {
    return api("/api/v1/query?query=" + url_encoded(expression)).at("data").at("result").as_array();
  }

 private:
  std::filesystem::path directory_;
  std::string address_;
  std::unique_ptr<child_process> process_;
};

/// The numeric value of one result of an instant query.
inline double value_of(const boost::json::value& result) {
  return std::stod(std::string(result.at("value").as_array().at(1).as_string()));
}

}  // namespace asio_console::testing
