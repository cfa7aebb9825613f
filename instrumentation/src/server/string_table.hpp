// Interned strings of the update stream: every distinct string is sent once, then named by id.
// Strings are reference-counted by the tasks that use them, so the table holds only what live and
// retained tasks (and sites) need; a released id may be reused for another string, which is then
// sent again before its first use. Owned by the publisher thread; not thread-safe.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "absl/container/flat_hash_map.h"

namespace asio_console::server_internal {

class string_table {
 public:
  /// The id of `text` (0 for the empty string, never sent), taking one reference. A string that is
  /// new to the table is appended to the pending list that the next update sends.
  std::uint32_t acquire(std::string_view text);
  /// Drops one reference taken by acquire().
  void release(std::uint32_t id);

  /// Strings added since the last call, in id order of addition.
  std::vector<std::pair<std::uint32_t, std::string>> take_pending();
  /// Every string in the table (for a snapshot).
  std::vector<std::pair<std::uint32_t, std::string>> all() const;

 private:
  struct entry {
    std::string text;
    std::uint32_t references = 0;
  };
  std::vector<entry> entries_;  // id - 1
  std::vector<std::uint32_t> free_ids_;
  absl::flat_hash_map<std::string, std::uint32_t> by_text_;
  std::vector<std::uint32_t> pending_;
};

}  // namespace asio_console::server_internal
