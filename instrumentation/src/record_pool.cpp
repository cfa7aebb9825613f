#include "record_pool.hpp"

#include <array>

namespace asio_console::instrumentation::detail {

struct record_pool::chunk {
  std::array<task_record, chunk_records> records;
  chunk* next = nullptr;  // immutable once published
};

namespace {

// The free records this thread may use without a lock. Given back when the thread exits.
struct thread_cache {
  record_pool* pool = nullptr;
  task_record* head = nullptr;
  task_record* tail = nullptr;
  std::size_t count = 0;

  void push_list(task_record* first, task_record* last, std::size_t n) {
    last->next = head;
    if (head == nullptr) tail = last;
    head = first;
    count += n;
  }

  ~thread_cache() {
    if (pool != nullptr && head != nullptr) pool->release(head, tail, count);
  }
};

thread_cache& local_cache(record_pool* pool) {
  thread_local thread_cache cache;
  cache.pool = pool;  // one process-wide pool in practice
  return cache;
}

}  // namespace

task_record* record_pool::take_cached() noexcept {
  thread_cache& cache = local_cache(this);
  task_record* record = cache.head;
  if (record == nullptr) return nullptr;
  cache.head = record->next;
  if (cache.head == nullptr) cache.tail = nullptr;
  --cache.count;
  record->next = nullptr;
  return record;
}

bool record_pool::refill_cache() {
  task_record* first = nullptr;
  task_record* last = nullptr;
  std::size_t taken = 0;
  {
    std::lock_guard lock(free_mutex_);
    first = free_head_;
    last = first;
    while (last != nullptr && taken + 1 < refill_batch && last->next != nullptr) {
      last = last->next;
      ++taken;
    }
    if (last == nullptr) return false;
    ++taken;
    free_head_ = last->next;
    free_count_ -= taken;
  }
  local_cache(this).push_list(first, last, taken);
  return true;
}

void record_pool::grow_cache() {
  auto* fresh = new chunk;
  for (std::size_t i = 0; i + 1 < chunk_records; ++i) fresh->records[i].next = &fresh->records[i + 1];
  allocated_.fetch_add(chunk_records, std::memory_order_relaxed);
  local_cache(this).push_list(&fresh->records.front(), &fresh->records.back(), chunk_records);
  // Publish for visitors; records are still `free`, so they skip them until spawned.
  fresh->next = chunks_.load(std::memory_order_relaxed);
  while (!chunks_.compare_exchange_weak(fresh->next, fresh, std::memory_order_release,
                                        std::memory_order_relaxed)) {
  }
}

void record_pool::release(task_record* first, task_record* last, std::size_t count) {
  std::lock_guard lock(free_mutex_);
  last->next = free_head_;
  free_head_ = first;
  free_count_ += count;
}

void record_pool::visit(absl::FunctionRef<void(task_record&)> visit) const {
  for (chunk* c = chunks_.load(std::memory_order_acquire); c != nullptr; c = c->next) {
    for (task_record& record : c->records) visit(record);
  }
}

}  // namespace asio_console::instrumentation::detail
