// Which spawn sites get metric series of their own: the top N by live tasks, the rest summed into
// one `other` series, so that a program with thousands of call sites still has a bounded number of
// series.
//
// A site keeps its place until another has strictly more live tasks, so that series do not flap
// between equal sites. `other`'s live and idle are those of the sites outside the top N now; its
// counters count what sites spawned and finished while they were outside it (what a site did
// between two scrapes counts where it stood at the first of them), so that they never go down as
// sites move in and out. A chosen site's own counters are its whole counts, as `dump` shows.
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

#include "absl/container/flat_hash_map.h"

namespace asio_console::server_internal {

struct site_counts {
  std::uint32_t id = 0;
  std::uint64_t live = 0;
  std::uint64_t idle = 0;
  std::uint64_t spawned = 0;
  std::uint64_t finished = 0;
};

class site_selection {
 public:
  explicit site_selection(std::size_t top) : top_(top) {}

  /// Chooses among `sites` (every site, this scrape): returns the chosen ones, by live tasks
  /// (descending), and sets `other` (id 0) to the sum of the rest. Returns every site, and leaves
  /// `other` empty with `has_other` false, when there are no more than N.
  std::vector<site_counts> choose(std::vector<site_counts> sites, site_counts& other, bool& has_other);

 private:
  struct place {
    bool seen = false;  // by an earlier scrape: a site chosen at first sight was never outside
    bool chosen = false;
    // Counts when the site last entered the top N, and what it added while inside it before.
    std::uint64_t spawned_at_entry = 0;
    std::uint64_t finished_at_entry = 0;
    std::uint64_t spawned_inside = 0;
    std::uint64_t finished_inside = 0;
  };

  const std::size_t top_;
  absl::flat_hash_map<std::uint32_t, place> places_;
};

}  // namespace asio_console::server_internal
