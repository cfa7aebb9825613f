// A spawn site: one place in the source that spawns tasks (a co_spawn call, or the location a
// spawn wrapper passes through task_options). Sites are created on first use and live as long as
// the process; there is one per distinct source location, so their number is bounded by the code.
#pragma once

#include <atomic>
#include <cstdint>
#include <source_location>
#include <string>

#include "asio_console/instrumentation/function_names.hpp"

namespace asio_console::instrumentation {

class site {
 public:
  site(std::uint32_t id, const std::source_location& location)
      : id_(id),
        file_(location.file_name()),
        function_(readable_function_name(location.function_name())),
        line_(location.line()),
        column_(location.column()) {}

  site(const site&) = delete;
  site& operator=(const site&) = delete;

  std::uint32_t id() const noexcept { return id_; }  // 1-based, dense
  const std::string& file() const noexcept { return file_; }
  const std::string& function() const noexcept { return function_; }
  std::uint32_t line() const noexcept { return line_; }
  std::uint32_t column() const noexcept { return column_; }

  /// Tasks spawned here so far; also the sampling counter for spawn stacks.
  std::uint64_t spawned() const noexcept { return spawned_.load(std::memory_order_relaxed); }
  /// Tasks spawned here that have finished (in any way).
  std::uint64_t finished() const noexcept { return finished_.load(std::memory_order_relaxed); }

  /// Tasks spawned here that ran unrecorded (their executor type cannot carry a task executor).
  std::uint64_t unrecorded() const noexcept { return unrecorded_.load(std::memory_order_relaxed); }

  /// Counts a spawn and returns how many came before it.
  std::uint64_t count_spawn() noexcept { return spawned_.fetch_add(1, std::memory_order_relaxed); }
  /// Called only by the registry's collector, one at a time: a load and a store.
  void count_finish() noexcept { finished_.store(finished_.load(std::memory_order_relaxed) + 1, std::memory_order_relaxed); }
  /// Counts an unrecorded spawn and returns how many came before it.
  std::uint64_t count_unrecorded() noexcept { return unrecorded_.fetch_add(1, std::memory_order_relaxed); }

 private:
  const std::uint32_t id_;
  const std::string file_;
  const std::string function_;
  const std::uint32_t line_;
  const std::uint32_t column_;
  std::atomic<std::uint64_t> spawned_{0};
  std::atomic<std::uint64_t> finished_{0};
  std::atomic<std::uint64_t> unrecorded_{0};
};

}  // namespace asio_console::instrumentation
