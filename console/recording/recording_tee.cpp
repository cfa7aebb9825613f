#include "recording/recording_tee.hpp"

#include "absl/strings/str_cat.h"

namespace asio_console::console {

recording_tee::recording_tee(message_source& source, recording_writer& writer)
    : source_(source), writer_(writer), name_(absl::StrCat(std::string(source.name()), " ● recording to ", writer.path())) {}

std::vector<message> recording_tee::take_messages() { return keep(source_.take_messages()); }

std::vector<message> recording_tee::wait_messages(absl::Time deadline) { return keep(source_.wait_messages(deadline)); }

std::vector<message> recording_tee::keep(std::vector<message> taken) {
  const absl::Time now = absl::Now();
  for (const message& next : taken) {
    if (only_answers_ && !std::holds_alternative<stacks_symbolized>(next)) continue;
    writer_.add(next, now);
  }
  if (!stopped_ && (writer_.full() || !writer_.status().ok())) {
    stopped_ = true;
    name_ = absl::StrCat(std::string(source_.name()), writer_.full() ? " ■ recording stopped at --max-bytes: "
                                                        : " ■ recording failed: ",
                         writer_.full() ? writer_.path() : std::string(writer_.status().message()));
  }
  return taken;
}

}  // namespace asio_console::console
