#include "resource_table.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/un.h>

#include <algorithm>
#include <array>
#include <atomic>
#include <cstring>
#include <limits>
#include <mutex>
#include <string_view>

#include "absl/container/flat_hash_map.h"
#include "absl/strings/str_cat.h"
#include "asio_console/instrumentation/clock.hpp"
#include "asio_console/instrumentation/registry.hpp"

namespace asio_console::deep::detail {
namespace {

constexpr std::size_t shard_count = 16;
constexpr std::size_t listed_per_shard = instrumentation::max_retained_resources / shard_count;

// A file descriptor Asio passes for an object that has one; 0 and -1 (not open) are none.
bool is_handle(std::uintmax_t native_handle) noexcept {
  return native_handle != 0 && native_handle < (std::uintmax_t{1} << 62);
}

// Sockets and descriptors by file descriptor (odd keys), everything else by address (even: Asio's
// implementation objects are aligned).
std::uintptr_t key_of(const void* object, std::uintmax_t native_handle) noexcept {
  return is_handle(native_handle) ? static_cast<std::uintptr_t>(native_handle << 1 | 1)
                                  : reinterpret_cast<std::uintptr_t>(object);
}

class resource_shard {
 public:
  std::mutex mutex;
  absl::flat_hash_map<std::uintptr_t, resource_record*> open;

  // The list of ended-or-idle resources (see resource_record::older).
  void list(resource_record& r) noexcept {
    r.older = newest_;
    r.newer = nullptr;
    if (newest_ != nullptr) newest_->newer = &r;
    newest_ = &r;
    if (oldest_ == nullptr) oldest_ = &r;
    r.listed = true;
    ++listed_;
  }
  void unlist(resource_record& r) noexcept {
    (r.older != nullptr ? r.older->newer : oldest_) = r.newer;
    (r.newer != nullptr ? r.newer->older : newest_) = r.older;
    r.older = r.newer = nullptr;
    r.listed = false;
    --listed_;
  }
  // Frees listed resources, oldest first, beyond the count bound or, when `expired` says so, past
  // the retention. One with operations still pending (closed, its cancellations not yet run) stays.
  template <typename Expired>
  void trim(Expired expired) noexcept {
    for (resource_record* r = oldest_; r != nullptr;) {
      resource_record* newer = r->newer;
      if (listed_ <= listed_per_shard && !expired(*r)) break;
      if (r->pending == 0) {
        unlist(*r);
        if (r->open) open.erase(r->key);
        delete r;
      }
      r = newer;
    }
  }
  void trim() noexcept {
    trim([](const resource_record&) { return false; });
  }
  std::size_t listed() const noexcept { return listed_; }
  template <typename Visit>
  void visit_listed(Visit visit) const {
    for (const resource_record* r = oldest_; r != nullptr; r = r->newer) visit(*r);
  }

 private:
  resource_record* oldest_ = nullptr;
  resource_record* newest_ = nullptr;
  std::size_t listed_ = 0;
};

// Never destroyed: operations may end in static destructors (an io_context of static duration).
std::array<resource_shard, shard_count>& shards() {
  static auto* const all = new std::array<resource_shard, shard_count>();
  return *all;
}
std::atomic<std::uint64_t> next_resource_id{1};

std::uint8_t shard_index(std::uintptr_t key) noexcept {
  return static_cast<std::uint8_t>((key >> 4 ^ key >> 12 ^ key) % shard_count);
}

std::int64_t nanoseconds_at(std::int64_t point) noexcept {
  return point == 0 ? 0 : instrumentation::tick_clock::instance().to_steady_nanoseconds(point);
}

instrumentation::resource copy_of(const resource_record& r) {
  instrumentation::resource out;
  out.id = r.id;
  out.kind = r.kind;
  if (r.native_handle != 0) out.native_handle = r.native_handle;
  out.local = r.local;
  out.remote = r.remote;
  out.ops_started = r.ops_started;
  out.pending_ops = r.pending;
  out.created_ns = nanoseconds_at(r.created);
  out.idle_since_ns = r.pending == 0 ? nanoseconds_at(r.idle_since) : 0;
  out.closed_ns = nanoseconds_at(r.closed);
  return out;
}

void append_operations(const resource_record& r, std::vector<instrumentation::pending_operation>& out) {
  for (const pending_record* op = r.operations; op != nullptr; op = op->next) {
    instrumentation::pending_operation copy;
    copy.task_id = op->task_id;
    copy.operation = op->operation;
    copy.object_kind = r.kind;
    copy.object_id = r.id;
    if (r.native_handle != 0) copy.native_handle = r.native_handle;
    copy.since_ns = nanoseconds_at(op->since);
    out.push_back(std::move(copy));
  }
}

// "127.0.0.1:5000", "[::1]:443", a unix socket's path; empty when the address is not known.
std::string endpoint_text(const sockaddr_storage& address, socklen_t length) {
  char text[INET6_ADDRSTRLEN] = {};
  if (address.ss_family == AF_INET) {
    const auto& in = reinterpret_cast<const sockaddr_in&>(address);
    if (::inet_ntop(AF_INET, &in.sin_addr, text, sizeof text) == nullptr) return {};
    return absl::StrCat(text, ":", ntohs(in.sin_port));
  }
  if (address.ss_family == AF_INET6) {
    const auto& in6 = reinterpret_cast<const sockaddr_in6&>(address);
    if (::inet_ntop(AF_INET6, &in6.sin6_addr, text, sizeof text) == nullptr) return {};
    return absl::StrCat("[", text, "]:", ntohs(in6.sin6_port));
  }
  if (address.ss_family == AF_UNIX) {
    const auto& un = reinterpret_cast<const sockaddr_un&>(address);
    const std::size_t path_bytes = length > offsetof(sockaddr_un, sun_path) ? length - offsetof(sockaddr_un, sun_path) : 0;
    std::string path(un.sun_path, strnlen(un.sun_path, std::min(path_bytes, sizeof un.sun_path)));
    return path.empty() ? "unix:(unnamed)" : "unix:" + path;
  }
  return {};
}

std::string endpoint_of(int fd, bool remote) {
  sockaddr_storage address{};
  socklen_t length = sizeof address;
  const int result = remote ? ::getpeername(fd, reinterpret_cast<sockaddr*>(&address), &length)
                            : ::getsockname(fd, reinterpret_cast<sockaddr*>(&address), &length);
  return result == 0 ? endpoint_text(address, length) : std::string();
}

bool has_endpoints(const resource_record& r) noexcept {
  const std::string_view kind = r.kind;
  return r.native_handle != 0 && (kind == "socket" || kind == "acceptor");
}
bool wants_endpoints(const resource_record& r) noexcept {
  return r.open && has_endpoints(r) &&
         (r.local.empty() || (r.remote.empty() && std::string_view(r.kind) == "socket"));
}

// An open socket whose endpoints are to be read, and what was read.
struct endpoint_read {
  std::uint64_t id;
  std::uintptr_t key;
  int fd;
  bool remote_wanted;
  std::string local;
  std::string remote;
};

}  // namespace

void start_operation(pending_record& op, const char* object_kind, const void* object,
                     std::uintmax_t native_handle) noexcept {
  const std::uintptr_t key = key_of(object, native_handle);
  const std::uint8_t index = shard_index(key);
  resource_shard& shard = shards()[index];
  const std::int64_t now = op.since;
  std::lock_guard lock(shard.mutex);
  auto [it, inserted] = shard.open.try_emplace(key, nullptr);
  if (!inserted && it->second->pending == 0 && std::string_view(it->second->kind) != object_kind) {
    // An object of another kind at the address of one that had no close to report (a timer where
    // a signal_set was): that one is gone, this is a new resource. Ended when it was last idle.
    resource_record& gone = *it->second;
    gone.open = false;
    gone.closed = gone.idle_since;
    if (!gone.listed) shard.list(gone);
    it->second = nullptr;
    inserted = true;
  }
  if (inserted) {
    auto* created = new resource_record;
    created->id = next_resource_id.fetch_add(1, std::memory_order_relaxed);
    created->key = key;
    created->kind = object_kind;
    created->native_handle = is_handle(native_handle) ? native_handle : 0;
    created->shard = index;
    created->created = now;
    it->second = created;
  }
  resource_record& r = *it->second;
  if (r.listed) shard.unlist(r);
  ++r.ops_started;
  ++r.pending;
  op.resource = &r;
  op.previous = nullptr;
  op.next = r.operations;
  if (r.operations != nullptr) r.operations->previous = &op;
  r.operations = &op;
}

void end_operation(pending_record& op) noexcept {
  resource_record& r = *op.resource;
  resource_shard& shard = shards()[r.shard];
  const std::int64_t now = instrumentation::now_ticks();
  std::lock_guard lock(shard.mutex);
  (op.previous != nullptr ? op.previous->next : r.operations) = op.next;
  if (op.next != nullptr) op.next->previous = op.previous;
  op.resource = nullptr;
  if (--r.pending != 0) return;
  r.idle_since = now;
  if (r.open && r.native_handle == 0) {  // no close will come: it may end any time now
    shard.list(r);
    shard.trim();
  }
}

void close_resource(const char*, const void* object, std::uintmax_t native_handle) noexcept {
  if (!is_handle(native_handle)) return;
  const std::uintptr_t key = key_of(object, native_handle);
  resource_shard& shard = shards()[shard_index(key)];
  const std::int64_t now = instrumentation::now_ticks();
  std::lock_guard lock(shard.mutex);
  const auto it = shard.open.find(key);
  if (it == shard.open.end()) return;  // no operation was ever started on it
  resource_record& r = *it->second;
  shard.open.erase(it);
  r.open = false;
  r.closed = now;
  shard.list(r);
  shard.trim();
}

void append_pending_operations(std::vector<instrumentation::pending_operation>& out) {
  for (resource_shard& shard : shards()) {
    std::lock_guard lock(shard.mutex);
    for (const auto& [key, r] : shard.open) append_operations(*r, out);
    shard.visit_listed([&](const resource_record& r) {
      if (!r.open) append_operations(r, out);
    });
  }
}

}  // namespace asio_console::deep::detail

namespace asio_console::instrumentation {

std::vector<resource> resources() {
  using deep::detail::resource_record;
  const std::int64_t retention_ns = absl::ToInt64Nanoseconds(registry::instance().options().retention);
  const tick_clock& clock = tick_clock::instance();
  const ticks now = now_ticks();
  const auto expired = [&](const resource_record& r) {
    return clock.to_nanoseconds(now - (r.open ? r.idle_since : r.closed)) >= retention_ns;
  };
  std::vector<resource> out;
  std::vector<deep::detail::endpoint_read> reads;
  std::size_t count = 0;
  for (deep::detail::resource_shard& shard : deep::detail::shards()) {
    std::lock_guard lock(shard.mutex);
    count += shard.open.size() + shard.listed();
  }
  out.reserve(count + count / 8);  // room for what starts meanwhile
  for (deep::detail::resource_shard& shard : deep::detail::shards()) {
    std::lock_guard lock(shard.mutex);
    shard.trim(expired);
    for (const auto& [key, r] : shard.open) {
      out.push_back(deep::detail::copy_of(*r));
      if (deep::detail::wants_endpoints(*r)) {
        reads.push_back({r->id, r->key, static_cast<int>(r->native_handle), std::string_view(r->kind) == "socket", {}, {}});
      }
    }
    shard.visit_listed([&](const resource_record& r) {
      if (!r.open) out.push_back(deep::detail::copy_of(r));
    });
  }
  // Off every lock: the syscalls. The close hook runs before Asio closes the descriptor, so a
  // resource still open when the result is stored had that descriptor all along.
  for (deep::detail::endpoint_read& read : reads) {
    read.local = deep::detail::endpoint_of(read.fd, false);
    if (read.remote_wanted) read.remote = deep::detail::endpoint_of(read.fd, true);
  }
  for (const deep::detail::endpoint_read& read : reads) {
    deep::detail::resource_shard& shard = deep::detail::shards()[deep::detail::shard_index(read.key)];
    std::lock_guard lock(shard.mutex);
    const auto it = shard.open.find(read.key);
    if (it == shard.open.end() || it->second->id != read.id) continue;
    resource_record& r = *it->second;
    if (r.local.empty()) r.local = read.local;
    if (r.remote.empty()) r.remote = read.remote;
  }
  if (reads.empty()) return out;
  absl::flat_hash_map<std::uint64_t, const deep::detail::endpoint_read*> read_of;
  for (const deep::detail::endpoint_read& read : reads) read_of[read.id] = &read;
  for (resource& r : out) {
    const auto it = read_of.find(r.id);
    if (it == read_of.end()) continue;
    if (r.local.empty()) r.local = it->second->local;
    if (r.remote.empty()) r.remote = it->second->remote;
  }
  return out;
}

}  // namespace asio_console::instrumentation
