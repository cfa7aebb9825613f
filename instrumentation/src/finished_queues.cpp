#include "finished_queues.hpp"

namespace asio_console::instrumentation::detail {

void finished_queues::push(task_record* record) noexcept {
  thread_local std::size_t shard_index = next_shard_.fetch_add(1, std::memory_order_relaxed) % shard_count;
  shard& s = shards_[shard_index];
  std::uint32_t top = s.pushed.load(std::memory_order_relaxed);
  // Release: the collector that takes the stack (acquire) sees each record's link and finish.
  do {
    record->next = top;
  } while (!s.pushed.compare_exchange_weak(top, record->index, std::memory_order_release, std::memory_order_relaxed));
}

void finished_queues::collect(absl::FunctionRef<void(task_record&)> collected) {
  for (shard& s : shards_) {
    if (s.pushed.load(std::memory_order_relaxed) == 0) continue;
    // The stack holds the newest first: reversed, it continues the FIFO in finishing order.
    task_record* newest = record_or_null(s.pushed.exchange(0, std::memory_order_acquire));
    task_record* oldest = nullptr;
    for (task_record* record = newest; record != nullptr;) {
      task_record* older = record_or_null(record->next);
      record->next = index_of(oldest);
      oldest = record;
      record = older;
    }
    if (s.tail == nullptr) {
      s.head = oldest;
    } else {
      s.tail->next = index_of(oldest);
    }
    s.tail = newest;
    for (task_record* record = oldest; record != nullptr; record = record_or_null(record->next)) collected(*record);
  }
}

reclaimed_list finished_queues::take_reclaimable(const reclaim_policy& policy) {
  const tick_clock& clock = tick_clock::instance();
  reclaimed_list taken;
  std::size_t retained = policy.retained;
  for (shard& s : shards_) {
    while (s.head != nullptr) {
      task_record* record = s.head;
      if ((record->poll_word.load(std::memory_order_acquire) & task_record::active_poll_mask) != 0) break;
      const bool seen = record->finish_sequence <= policy.barrier;
      // Elapsed against retention, not finish + retention against now: a retention of centuries
      // (saturated at the largest int64) must not overflow into "expired long ago".
      const bool expired = policy.now_steady_ns - clock.to_steady_nanoseconds(record->last_poll_edge.load(
                                                      std::memory_order_relaxed)) >= policy.retention_ns;
      const bool over_limit = retained > policy.max_retained;
      if (!(over_limit || (expired && seen))) break;
      s.head = record_or_null(record->next);
      if (s.head == nullptr) s.tail = nullptr;
      --retained;
      if (!seen) ++taken.forced;
      taken.append(record);
    }
  }
  return taken;
}

}  // namespace asio_console::instrumentation::detail
