#include "site_selection.hpp"

#include <algorithm>

namespace asio_console::server_internal {

std::vector<site_counts> site_selection::choose(std::vector<site_counts> sites, site_counts& other,
                                                bool& has_other) {
  other = {};
  has_other = sites.size() > top_;
  for (const site_counts& s : sites) places_.try_emplace(s.id);  // a new site was never outside
  // Most live first; on a tie the site already chosen keeps its place, then the older site.
  std::sort(sites.begin(), sites.end(), [&](const site_counts& a, const site_counts& b) {
    if (a.live != b.live) return a.live > b.live;
    const bool a_chosen = places_.at(a.id).chosen;
    const bool b_chosen = places_.at(b.id).chosen;
    if (a_chosen != b_chosen) return a_chosen;
    return a.id < b.id;
  });
  const std::size_t chosen_count = std::min(top_, sites.size());
  for (std::size_t i = 0; i < sites.size(); ++i) {
    const site_counts& s = sites[i];
    place& p = places_.at(s.id);
    const bool chosen = i < chosen_count;
    if (chosen && !p.chosen && p.seen) {
      p.spawned_at_entry = s.spawned;
      p.finished_at_entry = s.finished;
    } else if (!chosen && p.chosen) {
      p.spawned_inside += s.spawned - p.spawned_at_entry;
      p.finished_inside += s.finished - p.finished_at_entry;
    }
    p.chosen = chosen;
    p.seen = true;
    // What the site did outside the top N: up to its entry if it is in, up to now if it is not.
    other.spawned += (chosen ? p.spawned_at_entry : s.spawned) - p.spawned_inside;
    other.finished += (chosen ? p.finished_at_entry : s.finished) - p.finished_inside;
    if (!chosen) {
      other.live += s.live;
      other.idle += s.idle;
    }
  }
  sites.resize(chosen_count);
  return sites;
}

}  // namespace asio_console::server_internal
