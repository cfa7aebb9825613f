// When a console that cannot keep up is cut off: after falling behind `limit` times in a row
// without catching up in between (a whole publication delivered), not one time more or less.
#pragma once

namespace asio_console::server_internal {

class lag_rule {
 public:
  explicit constexpr lag_rule(int limit) noexcept : limit_(limit) {}

  /// The console fell behind again; true if that makes `limit` times: cut it off.
  constexpr bool fell_behind() noexcept { return ++times_ >= limit_; }
  /// A whole publication reached the console.
  constexpr void caught_up() noexcept { times_ = 0; }
  constexpr int times() const noexcept { return times_; }
  constexpr int limit() const noexcept { return limit_; }

 private:
  int limit_;
  int times_ = 0;
};

}  // namespace asio_console::server_internal
