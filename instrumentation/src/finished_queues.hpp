// Finished records waiting out their retention, in finishing order per shard. Sharded by finishing
// thread so that finishes on different threads do not contend. A finish pushes its record onto its
// shard's lock-free stack (one compare-and-swap; records linked through `next`, by index); the
// reclaimer, the only consumer (it runs under the registry's reader lock), takes the whole stack
// at once, reverses it onto the shard's FIFO and reclaims from that FIFO's front.
#pragma once

#include <atomic>
#include <cstddef>
#include <cstdint>

#include "asio_console/instrumentation/record_directory.hpp"
#include "asio_console/instrumentation/task_record.hpp"

namespace asio_console::instrumentation::detail {

struct reclaim_policy {
  std::int64_t now_steady_ns = 0;
  std::int64_t retention_ns = 0;
  std::size_t max_retained = 0;
  std::uint64_t barrier = 0;  // records finished after this sequence were not seen by every watcher
  std::size_t retained = 0;   // finished and not yet reclaimed (those still being pushed included)
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

  /// Unlinks the records `policy` lets go: retention passed and seen by every watcher, or the
  /// oldest ones while more than max_retained are kept. Records with a poll still in progress stay.
  /// One caller at a time (the reclaimer).
  reclaimed_list take_reclaimable(const reclaim_policy& policy);

 private:
  struct alignas(64) shard {
    // The index of the record pushed last; each pushed record's `next` is the one pushed before.
    std::atomic<std::uint32_t> pushed{0};
    // The reclaimer's own: records taken from `pushed`, oldest first.
    task_record* head = nullptr;
    task_record* tail = nullptr;
  };
  static void take_pushed(shard& s) noexcept;

  shard shards_[shard_count];
  std::atomic<std::size_t> next_shard_{0};
};

}  // namespace asio_console::instrumentation::detail
