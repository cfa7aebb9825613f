// Tasks grouped by spawn site: what the sites view and the JSON "sites" array show.
#pragma once

#include <cstdint>
#include <string_view>
#include <vector>

#include "model/state.hpp"

namespace asio_console::console {

/// How many of a site's known tasks share one stack: were spawned from one sampled spawn stack, or
/// are suspended in one await stack.
struct stack_count {
  std::uint32_t stack_id = 0;
  std::uint64_t count = 0;
};

struct site_summary {
  const site* where = nullptr;
  std::uint64_t spawned = 0;    // process-wide
  std::uint64_t live = 0;       // process-wide
  std::uint64_t idle = 0;       // live tasks idle now
  std::uint64_t completed = 0;  // process-wide
  double growth_per_minute = 0;
  bool leak_suspect = false;
  std::vector<stack_count> stacks;        // sampled spawn stacks, by count, descending
  std::vector<stack_count> await_stacks;  // where its idle tasks are suspended, by count, descending
  std::uint64_t known = 0;  // tasks of the site the console knows (live and retained)
};

/// Every site, by live count descending (then by id), those leak-suspect flags marked.
std::vector<site_summary> summarize_sites(const state& model);

/// The sites whose location or function contains `filter` (case-insensitive), same order.
std::vector<site_summary> filter_sites(std::vector<site_summary> sites, std::string_view filter);

}  // namespace asio_console::console
