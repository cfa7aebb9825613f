// The look `dump` takes, over a message source that stands in for a connection: a console that
// was itself stopped past its deadline does not blame the target.
#include "dump/dump_command.hpp"

#include <gtest/gtest.h>

#include <thread>

#include "connection/message_source.hpp"
#include "support/update_builder.hpp"

namespace asio_console::console {
namespace {

using asio_console::testing::update_builder;
constexpr std::int64_t second = 1'000'000'000;

// A connection whose target answers with a snapshot at the second wait. With `stall`, the first
// wait comes back two seconds after its deadline, empty: as when the console is stopped (SIGSTOP,
// Ctrl-Z) while it waits and continued later.
class scripted_source final : public message_source {
 public:
  explicit scripted_source(bool stall, bool answers = true) : stall_(stall), answers_(answers) {}
  std::vector<message> take_messages() override { return {}; }
  std::vector<message> wait_messages(absl::Time deadline) override {
    if (++waits_ == 1 && stall_) {
      std::this_thread::sleep_until(absl::ToChronoTime(deadline + absl::Seconds(2)));
      return {};
    }
    if (answers_ && !answered_) {
      answered_ = true;
      return {stream_started{1}, link_status{.current = link_status::phase::connected},
              update_builder().publication(10 * second, true).build()};
    }
    std::this_thread::sleep_until(absl::ToChronoTime(std::min(deadline, absl::Now() + absl::Milliseconds(10))));
    return {};
  }
  void send(request) override {}
  std::string_view name() const override { return "127.0.0.1:1"; }

 private:
  const bool stall_;
  const bool answers_;
  int waits_ = 0;
  bool answered_ = false;
};

dump_options quick_look() {
  dump_options options;
  options.timeout = absl::Milliseconds(300);
  options.extra_publications = 0;
  return options;
}

const target where{"127.0.0.1:1", "127.0.0.1:1"};

TEST(TakeOneLook, AConsoleStoppedPastItsDeadlineWaitsAgainInsteadOfBlamingTheTarget) {
  scripted_source source(/*stall=*/true);
  state model;
  const absl::Status looked = take_one_look(source, model, quick_look(), where);
  EXPECT_TRUE(looked.ok()) << looked;
  EXPECT_TRUE(model.ready());
}

TEST(TakeOneLook, ATargetThatNeverAnswersIsStillNamedAtTheTimeout) {
  scripted_source source(/*stall=*/false, /*answers=*/false);
  state model;
  const absl::Status looked = take_one_look(source, model, quick_look(), where);
  EXPECT_TRUE(absl::IsDeadlineExceeded(looked)) << looked;
  EXPECT_NE(looked.message().find("no answer from 127.0.0.1:1 within"), std::string::npos) << looked;
}

}  // namespace
}  // namespace asio_console::console
