#include "model/site_summary.hpp"

#include <algorithm>

#include "absl/container/flat_hash_map.h"
#include "absl/strings/match.h"
#include "model/format.hpp"
#include "absl/strings/str_cat.h"

namespace asio_console::console {

std::vector<site_summary> summarize_sites(const state& model) {
  const std::vector<std::uint32_t>& leak_suspects = model.lints().leak_suspect_sites;
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
  using counts = absl::flat_hash_map<std::uint32_t, std::uint64_t>;
  absl::flat_hash_map<std::uint32_t, counts> stacks_by_site;
  absl::flat_hash_map<std::uint32_t, counts> await_stacks_by_site;
  // Tasks of one site mostly follow one another in the map: the last site's entries are kept.
  std::uint32_t last_site = 0;
  site_summary* summary = nullptr;
  counts* stacks = nullptr;
  counts* await_stacks = nullptr;
  for (const auto& [id, t] : model.tasks()) {
    if (t.site_id != last_site || summary == nullptr) {
      auto it = by_id.find(t.site_id);
      if (it == by_id.end()) continue;
      last_site = t.site_id;
      summary = &it->second;
      stacks = &stacks_by_site[t.site_id];
      await_stacks = &await_stacks_by_site[t.site_id];
    }
    ++summary->known;
    const bool idle = !t.completed() && t.stats.state == task_state::idle;
    if (idle) ++summary->idle;
    if (t.stack_id != 0) ++(*stacks)[t.stack_id];
    if (idle && t.stats.await_stack_id != 0) ++(*await_stacks)[t.stats.await_stack_id];
  }
  const auto by_count = [](const counts& stacks) {
    std::vector<stack_count> sorted;
    sorted.reserve(stacks.size());
    for (const auto& [stack, count] : stacks) sorted.push_back({stack, count});
    std::sort(sorted.begin(), sorted.end(), [](const stack_count& a, const stack_count& b) {
      return a.count != b.count ? a.count > b.count : a.stack_id < b.stack_id;
    });
    return sorted;
  };
  std::vector<site_summary> result;
  result.reserve(by_id.size());
  for (auto& [id, summary] : by_id) {
    summary.stacks = by_count(stacks_by_site[id]);
    summary.await_stacks = by_count(await_stacks_by_site[id]);
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
