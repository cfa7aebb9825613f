#include "watcher_hub.hpp"

#include <sys/random.h>

#include <algorithm>
#include <random>

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

void watcher_hub::add(std::shared_ptr<update_stream> stream) {
  {
    std::lock_guard lock(mutex_);
    updates_.push_back(std::move(stream));
  }
  request_publication();
}

void watcher_hub::add(std::shared_ptr<details_stream> stream) {
  {
    std::lock_guard lock(mutex_);
    details_.push_back(std::move(stream));
  }
  request_publication();
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
