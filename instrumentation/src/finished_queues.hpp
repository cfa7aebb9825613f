// Finished records waiting out their retention, in finishing order per shard. Sharded by finishing
// thread so that finishes on different threads do not contend. A finish pushes its record onto its
// shard's lock-free stack (one compare-and-swap; records linked through `next`, by index) and does
// nothing else: the collector, the only consumer (the registry, under its reader lock), takes each
// whole stack at once, reverses it onto the shard's FIFO, counts it, and reclaims from the FIFO's
// front.
#pragma once

#include <atomic>
#include <cstddef>
#include <cstdint>

#include "absl/functional/function_ref.h"

#include "asio_console/instrumentation/record_directory.hpp"
#include "asio_console/instrumentation/task_record.hpp"

namespace asio_console::instrumentation::detail {

struct reclaim_policy {
  std::int64_t now_steady_ns = 0;
  std::int64_t retention_ns = 0;
  std::size_t max_retained = 0;
  std::uint64_t barrier = 0;  // records finished after this sequence were not seen by every watcher
  std::size_t retained = 0;   // collected and not yet reclaimed
};

struct reclaimed_list {
  task_record* first = nullptr;
  task_record* last = nullptr;
  std::size_t count = 0;
  std::size_t forced = 0;  // taken past the barrier because of max_retained

  void append(task_record* record) {
    record->next = 0;
    if (last == nullptr) {
      first = record;
    } else {
      last->next = record->index;
    }
    last = record;
    ++count;
  }
};

class finished_queues {
 public:
  static constexpr std::size_t shard_count = 8;

  /// Lock-free; any thread.
  void push(task_record* record) noexcept;

  /// Moves the records pushed since the last call onto the FIFOs and calls `collected` for each,
  /// oldest first per shard. One caller at a time, as for take_reclaimable.
  void collect(absl::FunctionRef<void(task_record&)> collected);

  /// Unlinks the collected records `policy` lets go: retention passed and seen by every watcher, or
  /// the oldest ones while more than max_retained are kept. Records with a poll still in progress
  /// stay.
  reclaimed_list take_reclaimable(const reclaim_policy& policy);

 private:
  struct alignas(64) shard {
    // The index of the record pushed last; each pushed record's `next` is the one pushed before.
    std::atomic<std::uint32_t> pushed{0};
    // The reclaimer's own: records taken from `pushed`, oldest first.
    task_record* head = nullptr;
    task_record* tail = nullptr;
  };

  shard shards_[shard_count];
  std::atomic<std::size_t> next_shard_{0};
};

}  // namespace asio_console::instrumentation::detail
