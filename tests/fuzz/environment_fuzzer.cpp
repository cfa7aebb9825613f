// The ASIO_CONSOLE_* variables an instrumented program reads (the recorder's and serve()'s), and
// the bind addresses they name: the input is their values, one a line, in the order of `names`.
// A value that does not parse must be ignored with one line saying so, never crash or stop the
// program (a typo in the environment must not take a server down).
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>
#include <vector>

#include "asio_console/instrumentation/recorder_options.hpp"
#include "asio_console/serve.hpp"
#include "bind_address.hpp"

namespace {

constexpr const char* names[] = {
    "ASIO_CONSOLE_RETENTION",     "ASIO_CONSOLE_MAX_RETAINED",       "ASIO_CONSOLE_STACKS",
    "ASIO_CONSOLE_AWAIT_STACKS",  "ASIO_CONSOLE_LONG_POLL",          "ASIO_CONSOLE_BIND",
    "ASIO_CONSOLE_METRICS_BIND",  "ASIO_CONSOLE_METRICS_TOP_SITES",  "ASIO_CONSOLE_PUBLISH_INTERVAL",
    "ASIO_CONSOLE_STALL_TIMEOUT", "ASIO_CONSOLE_ALLOW_REMOTE",
};

void expect_one_line_each(const std::vector<std::string>& problems) {
  for (const std::string& problem : problems) {
    if (problem.empty() || problem.find('\n') != std::string::npos) std::abort();
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size > 4096) return -1;
  std::string_view rest(reinterpret_cast<const char*>(data), size);
  for (const char* name : names) {
    const std::size_t end = rest.find('\n');
    const std::string value(rest.substr(0, end));
    rest = end == std::string_view::npos ? std::string_view() : rest.substr(end + 1);
    if (value == "-") {
      ::unsetenv(name);  // "-": not set at all
    } else {
      ::setenv(name, value.c_str(), 1);  // a value stops at its first NUL, as in a real environment
    }
  }
  std::vector<std::string> problems;
  (void)asio_console::instrumentation::recorder_options::from_environment(problems);
  const asio_console::serve_options options = asio_console::serve_options::from_environment(problems);
  expect_one_line_each(problems);
  for (const std::string& address : {options.bind, options.metrics_bind}) {
    const auto parsed = asio_console::server_internal::parse_bind_address(address);
    if (!parsed.ok() && parsed.status().message().find('\n') != std::string_view::npos) std::abort();
  }
  return 0;
}
