#include "string_table.hpp"

namespace asio_console::server_internal {

std::uint32_t string_table::acquire(std::string_view text) {
  if (text.empty()) return 0;
  auto [it, inserted] = by_text_.try_emplace(std::string(text), 0);
  if (inserted) {
    std::uint32_t id;
    if (!free_ids_.empty()) {
      id = free_ids_.back();
      free_ids_.pop_back();
      entries_[id - 1] = entry{std::string(text), 0};
    } else {
      entries_.push_back(entry{std::string(text), 0});
      id = static_cast<std::uint32_t>(entries_.size());
    }
    it->second = id;
    pending_.push_back(id);
  }
  ++entries_[it->second - 1].references;
  return it->second;
}

void string_table::release(std::uint32_t id) {
  if (id == 0 || id > entries_.size()) return;
  entry& e = entries_[id - 1];
  if (e.references == 0 || --e.references > 0) return;
  by_text_.erase(e.text);
  e.text.clear();
  e.text.shrink_to_fit();
  free_ids_.push_back(id);
}

std::vector<std::pair<std::uint32_t, std::string>> string_table::take_pending() {
  std::vector<std::pair<std::uint32_t, std::string>> result;
  result.reserve(pending_.size());
  for (std::uint32_t id : pending_) {
    // A string added and released within one cycle is not sent.
    if (entries_[id - 1].references > 0) result.emplace_back(id, entries_[id - 1].text);
  }
  pending_.clear();
  return result;
}

std::vector<std::pair<std::uint32_t, std::string>> string_table::all() const {
  std::vector<std::pair<std::uint32_t, std::string>> result;
  result.reserve(by_text_.size());
  for (std::uint32_t id = 1; id <= entries_.size(); ++id) {
    if (entries_[id - 1].references > 0) result.emplace_back(id, entries_[id - 1].text);
  }
  return result;
}

}  // namespace asio_console::server_internal
