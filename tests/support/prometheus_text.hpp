// Reads Prometheus's text exposition format back, for tests of the metrics endpoint.
#pragma once

#include <map>
#include <sstream>
#include <string>
#include <vector>

namespace asio_console::testing {

struct sample {
  std::string name;
  std::map<std::string, std::string> labels;
  double value = 0;
  /// name{a="1",b="2"}, labels in order: one key per series.
  std::string series() const {
    std::string out = name + "{";
    for (const auto& [key, value] : labels) out += key + "=\"" + value + "\",";
    return out + "}";
  }
};

/// The samples of a scrape (comments and blank lines skipped). Label values with escapes are
/// read unescaped for \", \\ and \n.
inline std::vector<sample> parse_samples(const std::string& text) {
  std::vector<sample> out;
  std::istringstream lines(text);
  std::string line;
  while (std::getline(lines, line)) {
    if (line.empty() || line[0] == '#') continue;
    sample s;
    std::size_t i = 0;
    while (i < line.size() && line[i] != '{' && line[i] != ' ') s.name += line[i++];
    if (i < line.size() && line[i] == '{') {
      ++i;
      while (i < line.size() && line[i] != '}') {
        std::string key;
        while (line[i] != '=') key += line[i++];
        i += 2;  // ="
        std::string value;
        while (line[i] != '"') {
          if (line[i] == '\\') {
            ++i;
            value += line[i] == 'n' ? '\n' : line[i];
          } else {
            value += line[i];
          }
          ++i;
        }
        ++i;  // closing quote
        if (line[i] == ',') ++i;
        s.labels[key] = value;
      }
      ++i;  // }
    }
    s.value = std::stod(line.substr(i + 1));
    out.push_back(std::move(s));
  }
  return out;
}

/// The samples named `name`.
inline std::vector<sample> samples_named(const std::vector<sample>& all, const std::string& name) {
  std::vector<sample> out;
  for (const sample& s : all) {
    if (s.name == name) out.push_back(s);
  }
  return out;
}

}  // namespace asio_console::testing
