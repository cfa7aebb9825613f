#include "asio_console/instrumentation/capabilities.hpp"

#include <mutex>
#include <optional>

#include "absl/strings/str_format.h"
#include "asio_console/instrumentation/registry.hpp"
#include "build_modes.hpp"

namespace asio_console::instrumentation {
namespace detail {
namespace {

// The first translation unit noted with unchecked frames. Static initialization may run on any
// thread (a library loaded later), hence the lock; std::mutex needs no initialization of its own.
std::mutex unchecked_mutex;
std::optional<asio_build> first_unchecked;

std::optional<asio_build> unchecked_build() {
  std::lock_guard lock(unchecked_mutex);
  return first_unchecked;
}

std::string version_text(int version) {
  return absl::StrFormat("%d.%d.%d", version / 100000, version / 100 % 1000, version % 100);
}

}  // namespace

bool note_asio_build(const asio_build& build) noexcept {
  if (!build.frames_checked) {
    std::lock_guard lock(unchecked_mutex);
    if (!first_unchecked) first_unchecked = build;
  }
  return true;
}

std::string unchecked_reason(const asio_build& build) {
  if (build.frames_checked) return {};
  const std::string version = std::string(build.flavor) + " " + version_text(build.version);
  if (build.version > build.newest_checked) {
    return absl::StrFormat("%s is newer than the newest checked (%s)", version, version_text(build.newest_checked));
  }
  if (build.version < build.oldest_checked) {
    return absl::StrFormat("%s is older than the oldest checked (%s)", version, version_text(build.oldest_checked));
  }
  return absl::StrFormat("%s is not one of the versions checked (%s to %s)", version,
                         version_text(build.oldest_checked), version_text(build.newest_checked));
}

std::string asio_build_warning() {
  const std::optional<asio_build> build = unchecked_build();
  if (!build) return {};
  return "await stacks are off: " + unchecked_reason(*build) +
         " (every task is still recorded; see README, \"Where it builds\")";
}

}  // namespace detail

capabilities current_capabilities() {
  if (const std::optional<detail::asio_build> build = detail::unchecked_build()) {
    return {.await_stacks = false, .reason = detail::unchecked_reason(*build)};
  }
  if (!registry::instance().options().await_stacks) {
    return {.await_stacks = false, .reason = "turned off (ASIO_CONSOLE_AWAIT_STACKS=off)"};
  }
  return {};
}

}  // namespace asio_console::instrumentation
