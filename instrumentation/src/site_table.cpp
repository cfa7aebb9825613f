#include "site_table.hpp"

#include <array>

namespace asio_console::instrumentation::detail {
namespace {

struct cache_entry {
  const char* file = nullptr;
  const char* function = nullptr;
  std::uint32_t line = 0;
  std::uint32_t column = 0;
  site* found = nullptr;
};

constexpr std::size_t cache_size = 64;  // direct-mapped

std::size_t cache_index(const std::source_location& location) {
  const auto file = reinterpret_cast<std::uintptr_t>(location.file_name());
  return (file ^ (file >> 7) ^ (location.line() * 0x9e3779b1u) ^ location.column()) % cache_size;
}

}  // namespace

site& site_table::find_or_add(const std::source_location& location) {
  thread_local std::array<cache_entry, cache_size> cache;
  cache_entry& entry = cache[cache_index(location)];
  if (entry.found != nullptr && entry.file == location.file_name() &&
      entry.function == location.function_name() && entry.line == location.line() &&
      entry.column == location.column()) {
    return *entry.found;
  }
  site& found = find_or_add_locked(location);
  entry = cache_entry{location.file_name(), location.function_name(), location.line(),
                      location.column(), &found};
  return found;
}

site_table::site_table() = default;

site_table::~site_table() {
  for (auto& page : pages_) delete[] page.load(std::memory_order_relaxed);
}

site& site_table::find_or_add_locked(const std::source_location& location) {
  std::lock_guard lock(mutex_);
  key k{location.file_name(), location.function_name(), location.line(), location.column()};
  auto [it, inserted] = by_location_.try_emplace(std::move(k), nullptr);
  if (inserted) {
    if (sites_.size() == page_sites * max_pages) {
      it->second = sites_.back().get();  // bounded: code has far fewer spawn sites than this
      return *it->second;
    }
    const std::size_t index = sites_.size();
    sites_.push_back(std::make_unique<site>(static_cast<std::uint32_t>(index + 1), location));
    site** page = pages_[index / page_sites].load(std::memory_order_relaxed);
    if (page == nullptr) {
      page = new site*[page_sites]();
      pages_[index / page_sites].store(page, std::memory_order_release);
    }
    // Published before any record carries the id (the id is handed out after this returns).
    page[index % page_sites] = sites_.back().get();
    it->second = sites_.back().get();
  }
  return *it->second;
}

void site_table::visit(absl::FunctionRef<void(const site&)> visit) const {
  std::lock_guard lock(mutex_);
  for (const auto& s : sites_) visit(*s);
}

}  // namespace asio_console::instrumentation::detail
