#include "wake_word.hpp"

#include <array>
#include <atomic>
#include <cstring>
#include <mutex>

namespace asio_console::deep::detail {
namespace {

constexpr int resource_bits = 40;
constexpr int name_bits = 8;
constexpr int schedule_bits = 16;
constexpr std::uint64_t schedule_mask = (std::uint64_t{1} << schedule_bits) - 1;
static_assert(resource_bits + name_bits + schedule_bits == 64);

// Names by index + 1 (0: none). Appended under the mutex, read without it: an index is published
// (with release) only after its name.
std::array<std::atomic<const char*>, 256> names{};
std::atomic<std::uint32_t> name_count{0};
std::mutex names_mutex;

// The index + 1 of `name`; 0 when the table is full. Names are few (Asio's operation names).
std::uint32_t index_of(const char* name) noexcept {
  const std::uint32_t count = name_count.load(std::memory_order_acquire);
  for (std::uint32_t i = 0; i < count; ++i) {
    if (names[i].load(std::memory_order_relaxed) == name) return i + 1;
  }
  std::lock_guard lock(names_mutex);
  const std::uint32_t now = name_count.load(std::memory_order_relaxed);
  for (std::uint32_t i = 0; i < now; ++i) {
    // The same literal may have another address in another translation unit.
    if (std::strcmp(names[i].load(std::memory_order_relaxed), name) == 0) return i + 1;
  }
  if (now == names.size() - 1) return 0;
  names[now].store(name, std::memory_order_relaxed);
  name_count.store(now + 1, std::memory_order_release);
  return now + 1;
}

}  // namespace

std::uint64_t make_wake_word(std::uint64_t resource_id, const char* operation, std::uint64_t schedules) noexcept {
  const std::uint32_t name = index_of(operation);
  if (name == 0) return 0;
  return (resource_id << (name_bits + schedule_bits)) | (std::uint64_t{name} << schedule_bits) |
         (schedules & schedule_mask);
}

std::optional<wake_source> read_wake_word(std::uint64_t word, std::uint64_t schedules) noexcept {
  const auto name = static_cast<std::uint32_t>((word >> schedule_bits) & ((1u << name_bits) - 1));
  if (name == 0 || name > name_count.load(std::memory_order_acquire)) return std::nullopt;
  if (((schedules - (word & schedule_mask)) & schedule_mask) > 1) return std::nullopt;  // woken since
  return wake_source{word >> (name_bits + schedule_bits), names[name - 1].load(std::memory_order_relaxed)};
}

}  // namespace asio_console::deep::detail
