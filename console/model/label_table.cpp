#include "model/label_table.hpp"

#include <algorithm>

#include "absl/hash/hash.h"

namespace asio_console::console {
namespace {

// One hash for the stored labels and the views looked up: the same text hashes the same.
template <typename Fields>
std::size_t hash_of(std::string_view name, const Fields& fields) {
  std::size_t hash = absl::HashOf(name, fields.size());
  for (const auto& [key, value] : fields) hash = absl::HashOf(hash, std::string_view(key), std::string_view(value));
  return hash;
}

template <typename A, typename B>
bool same_fields(const A& a, const B& b) {
  return std::equal(a.begin(), a.end(), b.begin(), b.end(), [](const auto& x, const auto& y) {
    return std::string_view(x.first) == std::string_view(y.first) && std::string_view(x.second) == std::string_view(y.second);
  });
}

}  // namespace

std::size_t label_table::by_text_hash::operator()(const entry& e) const noexcept { return hash_of(e.name, e.fields); }
std::size_t label_table::by_text_hash::operator()(const wanted& w) const noexcept { return hash_of(w.name, w.fields); }

bool label_table::by_text_equal::operator()(const entry& a, const entry& b) const noexcept {
  return a.name == b.name && same_fields(a.fields, b.fields);
}
bool label_table::by_text_equal::operator()(const entry& a, const wanted& b) const noexcept {
  return a.name == b.name && same_fields(a.fields, b.fields);
}

const task_labels* label_table::acquire(std::string_view name, const field_views& fields) {
  if (name.empty() && fields.empty()) return &no_task_labels;
  auto it = entries_.find(wanted{name, fields});
  if (it == entries_.end()) {
    entry made;
    made.name = name;
    for (const auto& [key, value] : fields) made.fields.emplace_back(key, value);
    it = entries_.insert(std::move(made)).first;
  }
  ++it->tasks;
  return &*it;
}

void label_table::release(const task_labels* labels) {
  if (labels == &no_task_labels) return;
  // Every other labels a task holds came from acquire(): an entry of this table.
  const entry& e = static_cast<const entry&>(*labels);
  if (--e.tasks == 0) entries_.erase(e);
}

}  // namespace asio_console::console
