#include "finished_queues.hpp"

namespace asio_console::instrumentation::detail {

void finished_queues::push(task_record* record) {
  thread_local std::size_t shard_index = next_shard_.fetch_add(1, std::memory_order_relaxed) % shard_count;
  shard& s = shards_[shard_index];
  record->next = 0;
  {
    std::lock_guard lock(s.mutex);
    if (s.tail == nullptr) {
      s.head = record;
    } else {
      s.tail->next = record->index;
    }
    s.tail = record;
  }
  size_.fetch_add(1, std::memory_order_relaxed);
}

reclaimed_list finished_queues::take_reclaimable(const reclaim_policy& policy) {
  const tick_clock& clock = tick_clock::instance();
  reclaimed_list taken;
  for (shard& s : shards_) {
    std::lock_guard lock(s.mutex);
    while (s.head != nullptr) {
      task_record* record = s.head;
      if ((record->poll_word.load(std::memory_order_acquire) & task_record::active_poll_mask) != 0) break;
      const bool seen = record->finish_sequence <= policy.barrier;
      // Elapsed against retention, not finish + retention against now: a retention of centuries
      // (saturated at the largest int64) must not overflow into "expired long ago".
      const bool expired = policy.now_steady_ns - clock.to_steady_nanoseconds(record->last_poll_edge.load(
                                                      std::memory_order_relaxed)) >= policy.retention_ns;
      const bool over_limit = size_.load(std::memory_order_relaxed) > policy.max_retained;
      if (!(over_limit || (expired && seen))) break;
      s.head = record_or_null(record->next);
      if (s.head == nullptr) s.tail = nullptr;
      size_.fetch_sub(1, std::memory_order_relaxed);
      if (!seen) ++taken.forced;
      taken.append(record);
    }
  }
  return taken;
}

}  // namespace asio_console::instrumentation::detail
