// Every task record has a 32-bit index, so that a task can be named in 8 bytes (an index and a
// 32-bit tag of its id) where 16 (a pointer and the id) would not fit: an executor that carries
// its task must stay within any_io_executor's 24-byte inline buffer around a thread_pool executor.
//
// Records are carved in chunks of `records_per_chunk` that are never freed; the directory maps a
// chunk number to its first record. A chunk's entry is written before any of its records is handed
// out, so whoever holds an index obtained from a record can look it up. Index 0 names no record.
#pragma once

#include <atomic>
#include <bit>
#include <cstdint>

#include "asio_console/instrumentation/task_record.hpp"

namespace asio_console::instrumentation::detail {

inline constexpr std::uint32_t records_per_chunk = 256;
// 268 million records (43 GB of them): beyond what a process can hold, and an 8 MiB directory of
// which only the pages in use are ever touched.
inline constexpr std::uint32_t max_record_chunks = std::uint32_t{1} << 20;

extern std::atomic<task_record*> record_chunks[max_record_chunks];

/// The record with index `index` (not 0).
inline task_record* record_at(std::uint32_t index) noexcept {
  return record_chunks[index / records_per_chunk].load(std::memory_order_relaxed) + index % records_per_chunk;
}

/// The record with index `index`, or nullptr for 0 (the end of a list linked through `next`).
inline task_record* record_or_null(std::uint32_t index) noexcept {
  return index == 0 ? nullptr : record_at(index);
}
inline std::uint32_t index_of(const task_record* record) noexcept { return record == nullptr ? 0 : record->index; }

/// A 32-bit tag of a record's generation: 31 bits of the task id, and the finished bit in bit 0.
/// A live task's tag is even. Two tasks share a tag only if 2^31 tasks were spawned between them.
inline std::uint32_t generation_tag(std::uint64_t generation) noexcept {
  return static_cast<std::uint32_t>(std::rotl(generation, 1));
}

}  // namespace asio_console::instrumentation::detail
