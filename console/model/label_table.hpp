// The labels (name and fields) of one process's tasks, each distinct one kept once.
//
// A million tasks spawned at one place usually share one name and the same fields: the model keeps
// one task_labels for them all, found by its text (not by the wire's string ids: the target reuses
// an id once no task holds its string, while this console may still hold such a task), and drops
// it with the last task that uses it.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string_view>
#include <utility>

#include "absl/container/inlined_vector.h"
#include "absl/container/node_hash_set.h"
#include "model/task.hpp"

namespace asio_console::console {

class label_table {
 public:
  using field_views = absl::InlinedVector<std::pair<std::string_view, std::string_view>, 2>;

  /// The labels with this name and these fields (copied the first time); one more task uses them
  /// until release(). A task with neither gets no_task_labels.
  const task_labels* acquire(std::string_view name, const field_views& fields);
  /// A task no longer uses `labels`.
  void release(const task_labels* labels);
  /// Distinct labels in use.
  std::size_t size() const noexcept { return entries_.size(); }

 private:
  struct entry : task_labels {
    mutable std::uint64_t tasks = 0;
  };
  struct wanted {
    std::string_view name;
    const field_views& fields;
  };
  struct by_text_hash {
    using is_transparent = void;
    std::size_t operator()(const entry& e) const noexcept;
    std::size_t operator()(const wanted& w) const noexcept;
  };
  struct by_text_equal {
    using is_transparent = void;
    bool operator()(const entry& a, const entry& b) const noexcept;
    bool operator()(const entry& a, const wanted& b) const noexcept;
    bool operator()(const wanted& a, const entry& b) const noexcept { return (*this)(b, a); }
  };
  absl::node_hash_set<entry, by_text_hash, by_text_equal> entries_;
};

}  // namespace asio_console::console
