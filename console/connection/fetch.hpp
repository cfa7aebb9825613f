// One look at a process: what `asio-console dump` prints.
#pragma once

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "connection/target.hpp"
#include "model/state.hpp"

namespace asio_console::console {

struct fetch_options {
  /// How long the target may stay silent until its first snapshot is whole.
  absl::Duration timeout = absl::Seconds(5);
  /// Publications to read after the snapshot (lints that compare samples need some) ...
  int extra_publications = 2;
  /// ... but no longer than this after the snapshot.
  absl::Duration sample_for = absl::Seconds(3);
  state_options model;
};

/// Connects, applies the first snapshot and the publications that follow (see fetch_options),
/// symbolizes every sampled spawn stack, and disconnects. Gives up after `timeout` without a
/// message before the snapshot is whole; reads for at most `sample_for` after it. An error carries
/// one line for the user.
absl::StatusOr<state> fetch_state(const target& where, const fetch_options& options);

/// The most stacks a target symbolizes in one SymbolizeStacks call.
inline constexpr std::size_t max_stacks_per_request = 1024;

/// Asks the target to symbolize every spawn and await stack `model` uses that is not symbolized
/// yet, in as many calls as that takes.
absl::Status symbolize_stacks(v1::Instrument::Stub& stub, const target& where, state& model, absl::Duration timeout);

}  // namespace asio_console::console
