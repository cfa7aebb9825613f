// The labels (name and fields) of one process's tasks, each distinct one kept once.
//
// A million tasks spawned at one place usually share one name and the same fields: the model keeps
// one task_labels for them all, found by the string ids the wire names them with, and drops it
// with the last task that uses it.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>

#include "absl/container/inlined_vector.h"
#include "absl/container/node_hash_set.h"
#include "absl/functional/function_ref.h"
#include "absl/hash/hash.h"
#include "model/task.hpp"

namespace asio_console::console {

class label_table {
 public:
  /// A task's labels as the wire names them: its name's string id, then each field's key and value.
  using wire_ids = absl::InlinedVector<std::uint32_t, 6>;

  /// The labels with these ids (made with `resolve`, string id to string, the first time); one
  /// more task uses them until release(). A task with neither name nor fields gets no_task_labels.
  const task_labels* acquire(const wire_ids& ids, absl::FunctionRef<std::string(std::uint32_t)> resolve);
  /// A task no longer uses `labels`.
  void release(const task_labels* labels);
  /// Distinct labels in use.
  std::size_t size() const noexcept { return entries_.size(); }

 private:
  struct entry : task_labels {
    wire_ids ids;
    mutable std::uint64_t tasks = 0;
  };
  struct by_ids_hash {
    using is_transparent = void;
    std::size_t operator()(const wire_ids& ids) const noexcept { return absl::Hash<wire_ids>{}(ids); }
    std::size_t operator()(const entry& e) const noexcept { return (*this)(e.ids); }
  };
  struct by_ids_equal {
    using is_transparent = void;
    static const wire_ids& ids_of(const wire_ids& ids) noexcept { return ids; }
    static const wire_ids& ids_of(const entry& e) noexcept { return e.ids; }
    template <typename A, typename B>
    bool operator()(const A& a, const B& b) const noexcept { return ids_of(a) == ids_of(b); }
  };
  absl::node_hash_set<entry, by_ids_hash, by_ids_equal> entries_;
};

}  // namespace asio_console::console
