// The lints the console knows, as a small closed set a task's warnings are a subset of.
#pragma once

#include <array>
#include <cstdint>
#include <string_view>

namespace asio_console::console {

enum class lint_kind : std::uint8_t { idle_too_long, never_woken, long_poll, self_wakes, leak_suspect };

inline constexpr std::array<lint_kind, 5> all_lint_kinds = {
    lint_kind::idle_too_long, lint_kind::never_woken, lint_kind::long_poll, lint_kind::self_wakes,
    lint_kind::leak_suspect};

/// The lint's name in the JSON format and the CLI: "idle-too-long", "never-woken", ...
std::string_view lint_name(lint_kind kind) noexcept;

/// A set of lints; a value type of one byte.
class lint_set {
 public:
  constexpr bool contains(lint_kind kind) const noexcept { return (bits_ >> static_cast<int>(kind)) & 1u; }
  constexpr void insert(lint_kind kind) noexcept { bits_ |= std::uint8_t(1u << static_cast<int>(kind)); }
  constexpr bool empty() const noexcept { return bits_ == 0; }
  constexpr void clear() noexcept { bits_ = 0; }
  friend constexpr bool operator==(lint_set, lint_set) = default;

 private:
  std::uint8_t bits_ = 0;
};

}  // namespace asio_console::console
