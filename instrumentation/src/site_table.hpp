// Maps source locations to sites. A spawn looks its site up in a small per-thread cache keyed by
// the location's string pointers (source_location strings are static), so only a thread's first
// spawn from a location takes the table's lock. Sites are also found by id without a lock (a task
// record keeps its site's id), through pages of pointers that are published once and never move.
#pragma once

#include <atomic>
#include <cstdint>
#include <memory>
#include <source_location>
#include <string>
#include <tuple>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/functional/function_ref.h"
#include <mutex>
#include "asio_console/instrumentation/site.hpp"

namespace asio_console::instrumentation::detail {

class site_table {
 public:
  /// At most this many distinct sites; the spawns of any further location share the last one.
  static constexpr std::size_t page_sites = 1024;
  static constexpr std::size_t max_pages = 1024;

  site_table();
  ~site_table();
  site_table(const site_table&) = delete;
  site_table& operator=(const site_table&) = delete;

  site& find_or_add(const std::source_location& location);
  /// The site with this id (one find_or_add returned). Lock-free.
  site& at(std::uint32_t id) const noexcept {
    const std::size_t index = id - 1;
    return *pages_[index / page_sites].load(std::memory_order_acquire)[index % page_sites];
  }
  void visit(absl::FunctionRef<void(const site&)> visit) const;

 private:
  site& find_or_add_locked(const std::source_location& location);

  using key = std::tuple<std::string, std::string, std::uint32_t, std::uint32_t>;
  mutable std::mutex mutex_;
  absl::flat_hash_map<key, site*> by_location_;
  std::vector<std::unique_ptr<site>> sites_;
  std::atomic<site**> pages_[max_pages] = {};
};

}  // namespace asio_console::instrumentation::detail
