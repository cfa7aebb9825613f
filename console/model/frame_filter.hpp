// Which frames of a stack a person needs: the application's own. Asio's machinery, the standard
// library's coroutine plumbing, the recorder and the process start-up are left out, and so are
// frames the user collapses by pattern (a generic spawn wrapper, say).
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

enum class stack_kind : std::uint8_t { spawn, await };

/// A site's stacks merged by what a person sees of them.
struct visible_stack {
  std::uint64_t count = 0;
  std::vector<const frame*> frames;  // empty while not symbolized
  std::string wait_reason;           // await stacks: what the innermost frame waits for ("" if unknown)
  bool symbolized = false;
};

/// `stacks` (by count) of the given kind merged when what is visible of them (frames, and for
/// await stacks the wait reason) is the same; by count, descending.
std::vector<visible_stack> visible_stacks(const std::vector<stack_count>& stacks, const state& model,
                                          const frame_filter& filter, stack_kind kind = stack_kind::spawn);

/// The frames of a stack of the given kind, or nullptr while not symbolized.
const std::vector<frame>* find_stack(const state& model, stack_kind kind, std::uint32_t id);

}  // namespace asio_console::console
