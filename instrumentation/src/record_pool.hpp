// Records are carved from chunks that are never freed (each one's place in the record directory
// gives its records their indices) and handed out through a per-thread cache, refilled in batches
// from a shared free list, so that a spawn takes no lock in the common case. Lists are linked
// through the records' `next` index.
#pragma once

#include <atomic>
#include <cstddef>
#include <cstdint>

#include <mutex>

#include "absl/functional/function_ref.h"
#include "asio_console/instrumentation/task_record.hpp"

namespace asio_console::instrumentation::detail {

class record_pool {
 public:
  static constexpr std::size_t refill_batch = 64;

  record_pool() = default;
  record_pool(const record_pool&) = delete;
  record_pool& operator=(const record_pool&) = delete;

  /// A free record from this thread's cache, or nullptr when the cache is empty.
  task_record* take_cached() noexcept;
  /// Moves up to refill_batch records from the shared free list to this thread's cache.
  /// Returns false when the shared free list is empty.
  bool refill_cache();
  /// Carves a new chunk into this thread's cache. Throws std::bad_alloc when the record directory
  /// is full.
  void grow_cache();

  /// Returns reclaimed records (linked through `next`) to the shared free list.
  void release(task_record* first, task_record* last, std::size_t count);

  /// Calls `visit` for every record ever carved, in a stable order. Safe against concurrent spawns.
  void visit(absl::FunctionRef<void(task_record&)> visit) const;

  std::uint64_t allocated() const noexcept { return allocated_.load(std::memory_order_relaxed); }

 private:
  std::atomic<std::uint32_t> chunks_{0};  // chunk numbers taken; a taken entry may still be null
  std::atomic<std::uint64_t> allocated_{0};
  std::mutex free_mutex_;
  task_record* free_head_ = nullptr;
  std::size_t free_count_ = 0;
};

}  // namespace asio_console::instrumentation::detail
