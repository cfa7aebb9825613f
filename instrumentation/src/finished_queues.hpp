// Finished records waiting out their retention, in finishing order. Sharded by finishing thread so
// that finishes on different threads do not contend; each shard is a FIFO linked through `next`
// (record indices).
#pragma once

#include <atomic>
#include <cstddef>
#include <cstdint>

#include <mutex>

#include "asio_console/instrumentation/record_directory.hpp"
#include "asio_console/instrumentation/task_record.hpp"

namespace asio_console::instrumentation::detail {

struct reclaim_policy {
  std::int64_t now_steady_ns = 0;
  std::int64_t retention_ns = 0;
  std::size_t max_retained = 0;
  std::uint64_t barrier = 0;  // records finished after this sequence were not seen by every watcher
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

  void push(task_record* record);
  std::size_t size() const noexcept { return size_.load(std::memory_order_relaxed); }

  /// Unlinks the records `policy` lets go: retention passed and seen by every watcher, or the
  /// oldest ones while more than max_retained are kept. Records with a poll still in progress stay.
  reclaimed_list take_reclaimable(const reclaim_policy& policy);

 private:
  struct alignas(64) shard {
    std::mutex mutex;
    task_record* head = nullptr;
    task_record* tail = nullptr;
  };
  shard shards_[shard_count];
  std::atomic<std::size_t> size_{0};
  std::atomic<std::size_t> next_shard_{0};
};

}  // namespace asio_console::instrumentation::detail
