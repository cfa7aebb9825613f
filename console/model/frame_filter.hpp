// Which frames of a spawn stack a person needs: the application's own. Asio's machinery, the
// standard library's coroutine plumbing, the recorder and the process start-up are left out, and
// so are frames the user collapses by pattern (a generic spawn wrapper, say).
#pragma once

#include <cstdint>
#include <regex>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "model/site_summary.hpp"
#include "model/state.hpp"

namespace asio_console::console {

class frame_filter {
 public:
  /// Library frames hidden, nothing collapsed.
  frame_filter() = default;
  /// Also hides frames whose function matches any of `patterns` (ECMAScript regular expressions,
  /// searched anywhere in the name). An invalid pattern is an error naming it.
  static absl::StatusOr<frame_filter> with_collapsed(const std::vector<std::string>& patterns);

  bool shows(const frame& f) const;
  /// The frames of `stack` that `shows`, innermost first. If it would hide all of them, all of them.
  std::vector<const frame*> visible(const std::vector<frame>& stack) const;

 private:
  std::vector<std::regex> collapsed_;
};

/// A site's sampled stacks merged by what a person sees of them.
struct visible_stack {
  std::uint64_t count = 0;
  std::vector<const frame*> frames;  // empty while not symbolized
};

/// `stacks` (by count) merged when their visible frames are the same; by count, descending.
std::vector<visible_stack> visible_stacks(const std::vector<stack_count>& stacks, const state& model,
                                          const frame_filter& filter);

}  // namespace asio_console::console
