#include "watcher_hub.hpp"

#include <sys/random.h>

#include <algorithm>
#include <random>

#include "absl/strings/str_cat.h"

namespace asio_console::server_internal {

std::uint64_t watcher_hub::next_watcher_id() {
  std::uint64_t id = 0;
  while (id == 0) {  // 0 names no watcher
    if (::getrandom(&id, sizeof id, 0) != static_cast<ssize_t>(sizeof id)) {
      std::random_device entropy;  // the same kernel source, another way in
      id = (std::uint64_t{entropy()} << 32) | entropy();
    }
  }
  return id;
}

grpc::Status watcher_hub::admit(const std::string& peer) {
  std::erase_if(updates_, [](const auto& stream) { return stream->done(); });
  std::erase_if(details_, [](const auto& stream) { return stream->done(); });
  if (updates_.size() + details_.size() >= limits_.total) {
    return grpc::Status(grpc::StatusCode::RESOURCE_EXHAUSTED,
                        absl::StrCat("too many streams: this process already serves ", limits_.total,
                                     ", its limit (serve_options::max_streams)"));
  }
  // A unix socket's clients are all "unix:" to gRPC: only the total limits them.
  if (peer.starts_with("unix:")) return grpc::Status::OK;
  const auto from_peer = [&](const auto& stream) { return stream->peer() == peer; };
  const auto open_from_peer = static_cast<std::size_t>(std::count_if(updates_.begin(), updates_.end(), from_peer) +
                                                       std::count_if(details_.begin(), details_.end(), from_peer));
  if (open_from_peer >= limits_.per_connection) {
    return grpc::Status(grpc::StatusCode::RESOURCE_EXHAUSTED,
                        absl::StrCat("too many streams: this connection already has ", limits_.per_connection,
                                     " open, its limit (serve_options::max_streams_per_connection)"));
  }
  return grpc::Status::OK;
}

template <typename Stream>
grpc::Status watcher_hub::open_into(std::vector<std::shared_ptr<Stream>>& streams, const std::string& peer,
                                    const std::function<std::shared_ptr<Stream>()>& start) {
  {
    std::lock_guard lock(mutex_);
    if (grpc::Status admitted = admit(peer); !admitted.ok()) return admitted;
    streams.push_back(start());
  }
  request_publication();
  return grpc::Status::OK;
}

grpc::Status watcher_hub::open(const std::string& peer, const std::function<std::shared_ptr<update_stream>()>& start) {
  return open_into(updates_, peer, start);
}

grpc::Status watcher_hub::open(const std::string& peer, const std::function<std::shared_ptr<details_stream>()>& start) {
  return open_into(details_, peer, start);
}

bool watcher_hub::set_paused(std::uint64_t watcher_id, bool paused) {
  std::shared_ptr<update_stream> found;
  {
    std::lock_guard lock(mutex_);
    for (const auto& stream : updates_) {
      if (stream->watcher_id() == watcher_id) found = stream;
    }
  }
  if (!found || found->done()) return false;
  found->set_paused(paused);
  if (!paused) request_publication();
  return true;
}

std::vector<std::shared_ptr<update_stream>> watcher_hub::update_streams() {
  std::lock_guard lock(mutex_);
  std::erase_if(updates_, [](const auto& stream) { return stream->done(); });
  return updates_;
}

std::vector<std::shared_ptr<details_stream>> watcher_hub::details_streams() {
  std::lock_guard lock(mutex_);
  std::erase_if(details_, [](const auto& stream) { return stream->done(); });
  return details_;
}

void watcher_hub::end_all(const grpc::Status& status) {
  for (const auto& stream : update_streams()) stream->end(status);
  for (const auto& stream : details_streams()) stream->end(status);
}

void watcher_hub::request_publication() {
  {
    std::lock_guard lock(mutex_);
    woken_ = true;
  }
  wake_.notify_all();
}

bool watcher_hub::wait_for_work(std::chrono::nanoseconds timeout) {
  std::unique_lock lock(mutex_);
  wake_.wait_for(lock, timeout, [&] { return woken_ || stopping_; });
  woken_ = false;
  return !stopping_;
}

void watcher_hub::stop() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  wake_.notify_all();
}

}  // namespace asio_console::server_internal
