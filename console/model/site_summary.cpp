#include "model/site_summary.hpp"

#include <algorithm>

#include "absl/container/flat_hash_map.h"
#include "absl/strings/match.h"
#include "model/format.hpp"
#include "absl/strings/str_cat.h"

namespace asio_console::console {

std::vector<site_summary> summarize_sites(const state& model, const std::vector<std::uint32_t>& leak_suspects) {
  absl::flat_hash_map<std::uint32_t, site_summary> by_id;
  for (const auto& [id, s] : model.sites()) {
    site_summary& summary = by_id[id];
    summary.where = &s;
    summary.spawned = s.spawned;
    summary.live = s.live();
    summary.completed = s.finished;
    summary.growth_per_minute = s.growth_per_minute();
    summary.leak_suspect = std::binary_search(leak_suspects.begin(), leak_suspects.end(), id);
  }
  absl::flat_hash_map<std::uint32_t, absl::flat_hash_map<std::uint32_t, std::uint64_t>> stacks_by_site;
  for (const auto& [id, t] : model.tasks()) {
    auto it = by_id.find(t.site_id);
    if (it == by_id.end()) continue;
    it->second.task_ids.push_back(id);
    if (!t.completed() && t.stats.state == task_state::idle) ++it->second.idle;
    if (t.stack_id != 0) ++stacks_by_site[t.site_id][t.stack_id];
  }
  std::vector<site_summary> result;
  result.reserve(by_id.size());
  for (auto& [id, summary] : by_id) {
    std::sort(summary.task_ids.begin(), summary.task_ids.end());
    for (const auto& [stack, count] : stacks_by_site[id]) summary.stacks.push_back({stack, count});
    std::sort(summary.stacks.begin(), summary.stacks.end(), [](const stack_count& a, const stack_count& b) {
      return a.count != b.count ? a.count > b.count : a.stack_id < b.stack_id;
    });
    result.push_back(std::move(summary));
  }
  std::sort(result.begin(), result.end(), [](const site_summary& a, const site_summary& b) {
    return a.live != b.live ? a.live > b.live : a.where->id < b.where->id;
  });
  return result;
}

std::vector<site_summary> filter_sites(std::vector<site_summary> sites, std::string_view filter) {
  if (filter.empty()) return sites;
  std::erase_if(sites, [&](const site_summary& s) {
    const source_location& at = s.where->location;
    return !contains_ignoring_case(absl::StrCat(at.file, ":", at.line, " ", at.function), filter);
  });
  return sites;
}

}  // namespace asio_console::console
