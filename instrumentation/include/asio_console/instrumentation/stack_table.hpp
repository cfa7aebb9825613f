// Stacks: captured raw on the task's thread, interned so that identical stacks are stored once,
// symbolized later (off the hot path, on whichever thread asks) and cached by address.
//
// A stack holds return addresses (a thread's call stack, innermost first) and, marked with
// awaiting_bit, resume functions of suspended coroutines (an await chain, innermost first). A spawn
// stack is the spawning thread's call stack followed by the await chain of the task that spawned:
// symbolized, the call stack is cut after the coroutine that spawned and continued with the
// coroutines awaiting it, so that it reads as one stack out to the task's own coroutine. An await
// stack is an await chain alone.
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
  bool awaiting = false;  // a suspended coroutine awaiting the frame before it, not a call
};

/// Captures the calling thread's stack as raw return addresses, innermost first, leaving out this
/// function and `skip` more frames. Never allocates. Returns the number of frames written.
std::size_t capture_stack(std::span<void*> frames, std::size_t skip) noexcept;

/// Interns stacks and symbolizes them. Thread-safe; every member may block briefly on a mutex, so
/// it is called for sampled spawns and for await stacks a thread has not seen before, never on
/// every resume. At most max_stacks distinct stacks are kept (then intern returns 0).
class stack_table {
 public:
  /// Marks a frame that is a coroutine's resume function (its entry), not a return address.
  static constexpr std::uintptr_t awaiting_bit = std::uintptr_t{1} << 63;

  explicit stack_table(std::size_t max_stacks = 1u << 16) : max_stacks_(max_stacks) {}

  /// The id of this sequence of frames (innermost first), interning it on first sight; 0 if empty
  /// or if the table is full.
  stack_id intern(std::span<void* const> frames);
  stack_id intern(std::span<const std::uintptr_t> frames);

  /// The raw frames of an interned stack (empty for 0 or an unknown id).
  std::vector<std::uintptr_t> frames(stack_id id) const;

  /// The frames of an interned stack, symbolized, inlined functions expanded, innermost first. A
  /// call stack starts at the caller of asio_console::co_spawn (the recorder's own frames are left
  /// out); an await chain after it is spliced in as described above. Coroutines are named by their
  /// function and its line (the line of the co_await inside is not recorded by the compiler in a
  /// form that can be read back). The first call pays for loading the debug information.
  std::vector<symbolized_frame> symbolize(stack_id id);

  /// Symbolizes one frame, caching the result: the function it is in, preceded by the functions
  /// inlined at that point (innermost first), so an inlined constructor still shows.
  std::vector<symbolized_frame> symbolize_address(std::uintptr_t frame);

  /// Number of distinct stacks interned so far.
  std::size_t size() const;
  /// Bytes held by the interned stacks and the symbol cache (an estimate).
  std::size_t memory_bytes() const;

 private:
  stack_id intern_locked(std::vector<std::uintptr_t> key);

  const std::size_t max_stacks_;
  mutable std::mutex mutex_;
  std::vector<std::vector<std::uintptr_t>> stacks_;  // id - 1 → frames
  absl::flat_hash_map<std::vector<std::uintptr_t>, stack_id> ids_;

  mutable std::mutex symbol_mutex_;
  absl::flat_hash_map<std::uintptr_t, std::vector<symbolized_frame>> symbols_;
};

}  // namespace asio_console::instrumentation
