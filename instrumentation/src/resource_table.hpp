// Deep mode's table of resources (the I/O objects operations wait on), each with the list of its
// pending operations. Sharded by key, each shard under a mutex: an operation's start and end take
// its resource's shard once. See asio_console/instrumentation/resources.hpp for what it promises.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "asio_console/deep/tracked_operation.hpp"
#include "asio_console/instrumentation/pending_operations.hpp"
#include "asio_console/instrumentation/resources.hpp"

namespace asio_console::deep::detail {

struct resource_record {
  std::uint64_t id = 0;
  std::uintptr_t key = 0;  // see key_of
  const char* kind = nullptr;
  std::uintmax_t native_handle = 0;  // 0: none
  std::uint64_t ops_started = 0;
  std::uint32_t pending = 0;
  std::uint8_t shard = 0;
  bool open = true;  // in its shard's map of open resources
  // instrumentation::ticks (the hot path's clock), converted when copied out.
  std::int64_t created = 0;
  std::int64_t idle_since = 0;
  std::int64_t closed = 0;
  pending_record* operations = nullptr;  // pending ones, newest first
  // In the shard's list of ended-or-idle resources (no pending operation, and closed or of a kind
  // with no close), oldest first.
  resource_record* older = nullptr;
  resource_record* newer = nullptr;
  bool listed = false;
  std::string local;  // a socket's endpoints once read (see resources()); empty until then
  std::string remote;
};

/// Starts `op` (its task fields set) on the resource `object` / `native_handle` names.
void start_operation(pending_record& op, const char* object_kind, const void* object,
                     std::uintmax_t native_handle) noexcept;
/// Ends `op`: unlinked from its resource.
void end_operation(pending_record& op) noexcept;
/// The object is closed (or released): its resource ends.
void close_resource(const char* object_kind, const void* object, std::uintmax_t native_handle) noexcept;

/// Appends every pending operation (by resource).
void append_pending_operations(std::vector<instrumentation::pending_operation>& out);

}  // namespace asio_console::deep::detail
