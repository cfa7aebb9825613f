// asio_console::testing: a test fails when it leaves tasks behind, like Go's goleak.
//
//   TEST(Server, StopsEverythingItStarts) {
//     boost::asio::io_context ctx;
//     { server s(ctx); ctx.run_for(100ms); }
//     EXPECT_TRUE(asio_console::testing::no_leaked_tasks());   // while ctx is alive
//   }
//
// no_leaked_tasks() waits up to a grace period for the live tasks to finish, then fails listing
// each group of those left (count, name, spawn site, spawn stack, where they wait). It reads the
// recorder in-process (no server, no console). Call it while the tasks' io_contexts are alive: an
// io_context destroyed with suspended tasks destroys them (they end "dropped") and hides the leak.
// Spawn stacks are those the recorder sampled (ASIO_CONSOLE_STACKS; by default the first 16 of
// every site). Header-only: the library depends on GoogleTest only where this header is included.
// With ASIO_CONSOLE_DISABLE nothing is recorded and every check passes.
#pragma once

#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <map>
#include <regex>
#include <sstream>
#include <string>
#include <thread>
#include <tuple>
#include <vector>

#include "asio_console/instrumentation/registry.hpp"
#include "asio_console/instrumentation/snapshot.hpp"

namespace asio_console::testing {

/// The tasks live at the moment it is made: a later check can leave them alone (a server a
/// fixture started before the test, say).
class task_baseline {
 public:
  task_baseline() {
    for (const instrumentation::task_snapshot& t : instrumentation::take_snapshot().tasks) {
      if (t.state != instrumentation::task_state::completed) live_.push_back(t.id);
    }
  }
  bool contains(std::uint64_t task_id) const { return std::binary_search(live_.begin(), live_.end(), task_id); }
  std::size_t size() const noexcept { return live_.size(); }

 private:
  std::vector<std::uint64_t> live_;  // ascending: snapshots are ordered by id
};

struct leak_check_options {
  /// How long live tasks get to finish before they count as leaked.
  std::chrono::milliseconds grace{1000};
  /// Tasks left alone: by their name (exactly), by the function or file of their spawn site
  /// (regular expressions, found anywhere in it), or because they were live at `baseline`.
  std::vector<std::string> ignore_names;
  std::vector<std::string> ignore_functions;
  std::vector<std::string> ignore_files;
  const task_baseline* baseline = nullptr;
};

namespace detail {

// The frames a person reads: Asio's, the standard library's, GoogleTest's and the recorder's
// machinery left out.
inline bool shown_frame(const instrumentation::symbolized_frame& f) {
  for (const char* hidden : {"boost::asio::", "asio::", "asio_console::", "std::", "__", "_start", "main"}) {
    if (f.function.rfind(hidden, 0) == 0) return false;
  }
  if (f.function.find("testing::internal::") != std::string::npos || f.function.rfind("testing::", 0) == 0) return false;
  return !f.function.empty() && f.file.rfind("/usr/include/", 0) != 0;
}

inline void write_stack(std::ostream& out, const char* heading, std::vector<instrumentation::symbolized_frame> frames) {
  std::erase_if(frames, [](const auto& f) { return !shown_frame(f); });
  if (frames.empty()) return;
  out << "    " << heading << ":\n";
  for (std::size_t i = 0; i < frames.size() && i < 8; ++i) {
    out << "      " << frames[i].function;
    if (!frames[i].file.empty()) out << "  " << frames[i].file << ':' << frames[i].line;
    out << '\n';
  }
}

inline std::vector<std::regex> compile_all(const std::vector<std::string>& patterns) {
  return std::vector<std::regex>(patterns.begin(), patterns.end());
}

inline bool matches_any(const std::string& text, const std::vector<std::regex>& patterns) {
  return std::any_of(patterns.begin(), patterns.end(), [&](const std::regex& p) { return std::regex_search(text, p); });
}

}  // namespace detail

/// Passes once no task is live except those `options` leave alone, waiting up to options.grace;
/// else fails with every leaked group, largest first.
inline ::testing::AssertionResult no_leaked_tasks(const leak_check_options& options = {}) {
  using instrumentation::task_snapshot;
  using instrumentation::task_state;
  const auto deadline = std::chrono::steady_clock::now() + options.grace;
  const std::vector<std::regex> ignore_functions = detail::compile_all(options.ignore_functions);
  const std::vector<std::regex> ignore_files = detail::compile_all(options.ignore_files);
  instrumentation::registry_snapshot now;
  std::vector<const task_snapshot*> leaked;
  std::map<std::uint32_t, const instrumentation::site_snapshot*> sites;
  for (;;) {
    now = instrumentation::take_snapshot();
    sites.clear();
    for (const auto& s : now.sites) sites[s.id] = &s;
    leaked.clear();
    for (const task_snapshot& t : now.tasks) {
      if (t.state == task_state::completed) continue;
      if (options.baseline != nullptr && options.baseline->contains(t.id)) continue;
      if (std::find(options.ignore_names.begin(), options.ignore_names.end(), t.name) != options.ignore_names.end()) {
        continue;
      }
      const auto site = sites.find(t.site_id);
      if (site != sites.end() && (detail::matches_any(site->second->function, ignore_functions) ||
                                  detail::matches_any(site->second->file, ignore_files))) {
        continue;
      }
      leaked.push_back(&t);
    }
    if (leaked.empty()) return ::testing::AssertionSuccess();
    if (std::chrono::steady_clock::now() >= deadline) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }

  // Grouped as a person would: same site, name, spawn stack and await stack.
  using group_key = std::tuple<std::uint32_t, std::string, instrumentation::stack_id, instrumentation::stack_id>;
  std::map<group_key, std::vector<const task_snapshot*>> groups;
  for (const task_snapshot* t : leaked) groups[{t->site_id, t->name, t->stack, t->await_stack}].push_back(t);
  std::vector<const std::vector<const task_snapshot*>*> by_size;
  for (const auto& [key, tasks] : groups) by_size.push_back(&tasks);
  std::stable_sort(by_size.begin(), by_size.end(), [](auto* a, auto* b) { return a->size() > b->size(); });

  std::ostringstream out;
  out << leaked.size() << (leaked.size() == 1 ? " task" : " tasks") << " leaked (still live "
      << options.grace.count() << " ms after the check began), in " << groups.size()
      << (groups.size() == 1 ? " group" : " groups") << ":\n";
  auto& registry = instrumentation::registry::instance();
  for (const auto* group : by_size) {
    const task_snapshot& first = *group->front();
    out << "  " << group->size() << " x \"" << first.name << "\" (" << instrumentation::to_string(first.state) << ")";
    if (const auto site = sites.find(first.site_id); site != sites.end()) {
      out << ", spawned at " << site->second->file << ':' << site->second->line << " in " << site->second->function;
    }
    out << ", task ids " << first.id << (group->size() > 1 ? ", ..." : "") << '\n';
    if (first.stack != 0) {
      detail::write_stack(out, "spawned from", registry.stacks().symbolize(first.stack));
    } else {
      out << "    spawned from: not sampled (ASIO_CONSOLE_STACKS=all samples every spawn)\n";
    }
    if (first.await_stack != 0) detail::write_stack(out, "waiting in", registry.await_stacks().symbolize(first.await_stack));
  }
  return ::testing::AssertionFailure() << out.str();
}

}  // namespace asio_console::testing
