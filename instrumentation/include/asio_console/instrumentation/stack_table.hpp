// Spawn stacks: captured raw on the spawning thread, interned so that identical stacks are stored
// once, symbolized later (off the hot path, on whichever thread asks) and cached by address.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include <mutex>
#include "asio_console/instrumentation/task_record.hpp"

namespace asio_console::instrumentation {

/// One symbolized frame. Fields are empty (line 0) when the debug information does not say.
struct symbolized_frame {
  std::uintptr_t address = 0;
  std::string function;
  std::string file;
  std::uint32_t line = 0;
};

/// Captures the calling thread's stack as raw return addresses, innermost first, leaving out this
/// function and `skip` more frames. Never allocates. Returns the number of frames written.
std::size_t capture_stack(std::span<void*> frames, std::size_t skip) noexcept;

/// Interns stacks and symbolizes them. Thread-safe; every member may block briefly on a mutex, so
/// it is called for sampled spawns only, never on a resume.
class stack_table {
 public:
  /// The id of this sequence of frames (innermost first), interning it on first sight; 0 if empty.
  stack_id intern(std::span<void* const> frames);

  /// The raw frames of an interned stack (empty for 0 or an unknown id).
  std::vector<std::uintptr_t> frames(stack_id id) const;

  /// The frames of an interned stack, symbolized, inlined functions expanded, innermost first,
  /// starting at the caller of asio_console::co_spawn (the recorder's own frames are left out).
  /// The first call pays for loading the debug information.
  std::vector<symbolized_frame> symbolize(stack_id id);

  /// Symbolizes one return address, caching the result: the function it is in, preceded by the
  /// functions inlined at that point (innermost first), so an inlined constructor still shows.
  std::vector<symbolized_frame> symbolize_address(std::uintptr_t address);

  /// Number of distinct stacks interned so far.
  std::size_t size() const;

 private:
  mutable std::mutex mutex_;
  std::vector<std::vector<std::uintptr_t>> stacks_;  // id - 1 → frames
  absl::flat_hash_map<std::vector<std::uintptr_t>, stack_id> ids_;

  std::mutex symbol_mutex_;
  absl::flat_hash_map<std::uintptr_t, std::vector<symbolized_frame>> symbols_;
};

}  // namespace asio_console::instrumentation
