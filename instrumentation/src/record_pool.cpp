#include "record_pool.hpp"

#include <algorithm>
#include <new>

#include "asio_console/instrumentation/record_directory.hpp"

namespace asio_console::instrumentation::detail {

std::atomic<task_record*> record_chunks[max_record_chunks];

namespace {

// Overlap counters and wake words (task_record.hpp), a chunk's worth at a time, by chunk number.
std::atomic<overlap_counters*> overlap_chunks[max_record_chunks];
std::atomic<std::atomic<std::uint64_t>*> wake_word_chunks[max_record_chunks];

// `record`'s entry in a side array of `chunks`, the array made on first use. Never freed.
template <typename T>
T& side_entry_of(std::atomic<T*> (&chunks)[max_record_chunks], const task_record& record) noexcept {
  std::atomic<T*>& chunk = chunks[record.index / records_per_chunk];
  T* entries = chunk.load(std::memory_order_acquire);
  if (entries == nullptr) [[unlikely]] {
    // Once per chunk of records, ever: the first use by any of them makes the array.
    auto* made = new T[records_per_chunk];
    if (chunk.compare_exchange_strong(entries, made, std::memory_order_acq_rel)) {
      entries = made;
    } else {
      delete[] made;  // another thread made it first: `entries` is theirs
    }
  }
  return entries[record.index % records_per_chunk];
}

// `record`'s entry in a side array of `chunks`, or nullptr if that array was never made.
template <typename T>
T* find_side_entry(std::atomic<T*> (&chunks)[max_record_chunks], const task_record& record) noexcept {
  T* entries = chunks[record.index / records_per_chunk].load(std::memory_order_acquire);
  return entries != nullptr ? &entries[record.index % records_per_chunk] : nullptr;
}

// The free records this thread may use without a lock. Given back when the thread exits.
struct thread_cache {
  record_pool* pool = nullptr;
  task_record* head = nullptr;
  task_record* tail = nullptr;
  std::size_t count = 0;

  void push_list(task_record* first, task_record* last, std::size_t n) {
    last->next = index_of(head);
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
  cache.head = record_or_null(record->next);
  if (cache.head == nullptr) cache.tail = nullptr;
  --cache.count;
  record->next = 0;
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
    while (last != nullptr && taken + 1 < refill_batch && last->next != 0) {
      last = record_at(last->next);
      ++taken;
    }
    if (last == nullptr) return false;
    ++taken;
    free_head_ = record_or_null(last->next);
    free_count_ -= taken;
  }
  local_cache(this).push_list(first, last, taken);
  return true;
}

overlap_counters& overlap_counters_of(const task_record& record) noexcept {
  return side_entry_of(overlap_chunks, record);
}

overlap_counters* find_overlap_counters(const task_record& record) noexcept {
  return find_side_entry(overlap_chunks, record);
}

std::atomic<std::uint64_t>& wake_word_of(const task_record& record) noexcept {
  return side_entry_of(wake_word_chunks, record);
}

std::atomic<std::uint64_t>* find_wake_word(const task_record& record) noexcept {
  return find_side_entry(wake_word_chunks, record);
}

void record_pool::grow_cache() {
  const std::uint32_t chunk = chunks_.fetch_add(1, std::memory_order_relaxed);
  if (chunk >= max_record_chunks) {
    chunks_.fetch_sub(1, std::memory_order_relaxed);
    throw std::bad_alloc();
  }
  auto* records = new task_record[records_per_chunk];
  const std::uint32_t first_index = chunk * records_per_chunk;
  for (std::uint32_t i = 0; i < records_per_chunk; ++i) {
    records[i].index = first_index + i;
    records[i].next = first_index + i + 1;
  }
  records[records_per_chunk - 1].next = 0;
  // Published before any record of the chunk is handed out (and for visitors, which skip free ones).
  record_chunks[chunk].store(records, std::memory_order_release);
  // Index 0 names no record: the first chunk's first record is never used.
  task_record* first = chunk == 0 ? &records[1] : &records[0];
  const std::size_t usable = chunk == 0 ? records_per_chunk - 1 : records_per_chunk;
  allocated_.fetch_add(usable, std::memory_order_relaxed);
  local_cache(this).push_list(first, &records[records_per_chunk - 1], usable);
}

void record_pool::release(task_record* first, task_record* last, std::size_t count) {
  std::lock_guard lock(free_mutex_);
  last->next = index_of(free_head_);
  free_head_ = first;
  free_count_ += count;
}

void record_pool::visit(absl::FunctionRef<void(task_record&)> visit) const {
  const std::uint32_t chunks = std::min(chunks_.load(std::memory_order_relaxed), max_record_chunks);
  for (std::uint32_t chunk = 0; chunk < chunks; ++chunk) {
    task_record* records = record_chunks[chunk].load(std::memory_order_acquire);
    if (records == nullptr) continue;  // being carved by another thread: all its records are free
    for (std::uint32_t i = chunk == 0 ? 1 : 0; i < records_per_chunk; ++i) visit(records[i]);
  }
}

}  // namespace asio_console::instrumentation::detail
