// Maps source locations to sites. A spawn looks its site up in a small per-thread cache keyed by
// the location's string pointers (source_location strings are static), so only a thread's first
// spawn from a location takes the table's lock.
#pragma once

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
  site& find_or_add(const std::source_location& location);
  void visit(absl::FunctionRef<void(const site&)> visit) const;

 private:
  site& find_or_add_locked(const std::source_location& location);

  using key = std::tuple<std::string, std::string, std::uint32_t, std::uint32_t>;
  mutable std::mutex mutex_;
  absl::flat_hash_map<key, site*> by_location_;
  std::vector<std::unique_ptr<site>> sites_;
};

}  // namespace asio_console::instrumentation::detail
