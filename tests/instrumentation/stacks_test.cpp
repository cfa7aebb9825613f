// Spawn stacks: sampled as configured, interned, and symbolized to the user's functions even in an
// optimized build (this file is compiled -O2 -g, like a shipped server).
#include <gtest/gtest.h>

#include <algorithm>
#include <asio_console/asio_console.hpp>

#include "support/asio.hpp"

namespace {
namespace asio = asio_console::testing::asio;
namespace instrumentation = asio_console::instrumentation;
using instrumentation::registry;
using instrumentation::stack_sampling;

class StacksTest : public ::testing::Test {
 protected:
  void SetUp() override { saved_ = registry::instance().options(); }
  void TearDown() override { registry::instance().configure(saved_); }
  static void sample(stack_sampling sampling) {
    auto options = registry::instance().options();
    options.stacks = sampling;
    registry::instance().configure(options);
  }
  instrumentation::recorder_options saved_;
};

asio::awaitable<void> wait_forever() {
  asio::steady_timer timer(co_await asio::this_coro::executor, asio::steady_timer::duration::max());
  co_await timer.async_wait(asio::use_awaitable);
}

// The shape of the seed's leak: a member whose constructor spawns, default-constructed by its owner.
constexpr std::uint32_t spawn_line = __LINE__ + 3;
struct background_refresher {
  explicit background_refresher(asio::io_context& ctx) {
    asio_console::co_spawn(ctx, wait_forever(), asio::detached, {.name = "refresher"});
  }
};
struct request_state {
  asio::io_context& ctx;
  background_refresher refresher{ctx};
};

bool mentions(const std::vector<instrumentation::symbolized_frame>& frames, std::string_view text) {
  return std::any_of(frames.begin(), frames.end(),
                     [&](const auto& frame) { return frame.function.find(text) != std::string::npos; });
}

std::string describe(const std::vector<instrumentation::symbolized_frame>& frames) {
  std::string out;
  for (const auto& frame : frames) out += "  " + frame.function + " " + frame.file + ":" + std::to_string(frame.line) + "\n";
  return out;
}

TEST_F(StacksTest, OptimizedBuildNamesTheConstructorThatSpawns) {
  sample(stack_sampling::all());
  asio::io_context ctx;
  [[maybe_unused]] request_state state{ctx};
  const auto snap = instrumentation::take_snapshot();
  const auto task = std::find_if(snap.tasks.rbegin(), snap.tasks.rend(),
                                 [](const auto& t) { return t.name == "refresher"; });
  ASSERT_NE(task, snap.tasks.rend());
  ASSERT_NE(task->stack, 0u) << "sampling 'all' captures every spawn";
  const auto frames = registry::instance().stacks().symbolize(task->stack);
  EXPECT_EQ(frames.front().function.find("asio_console::"), std::string::npos)
      << "the recorder's own frames are left out:\n" << describe(frames);
  // Inlined, the constructor keeps DWARF's name for it (the class name) and its own file and line.
  const auto constructor = std::find_if(frames.begin(), frames.end(), [](const auto& f) {
    return f.function.find("background_refresher") != std::string::npos &&
           f.function.find("request_state") == std::string::npos;
  });
  ASSERT_NE(constructor, frames.end()) << describe(frames);
  EXPECT_TRUE(constructor->file.ends_with("stacks_test.cpp")) << describe(frames);
  EXPECT_EQ(constructor->line, spawn_line) << describe(frames);
  // The function that default-constructs it follows, with its qualified name.
  const auto owner = std::next(constructor);
  ASSERT_NE(owner, frames.end());
  EXPECT_NE(owner->function.find("OptimizedBuildNamesTheConstructorThatSpawns"), std::string::npos)
      << describe(frames);
}

TEST_F(StacksTest, SamplingCapturesTheFirstSpawnsThenOneInN) {
  sample(stack_sampling{.first = 2, .every = 10});
  asio::io_context ctx;
  std::uint32_t site_id = 0;
  for (int i = 0; i < 25; ++i) {
    asio_console::co_spawn(ctx, []() -> asio::awaitable<void> { co_return; }, asio::detached, {.name = "sampled"});
  }
  const auto snap = instrumentation::take_snapshot();
  std::size_t captured = 0, total = 0;
  std::set<instrumentation::stack_id> distinct;
  for (const auto& task : snap.tasks) {
    if (task.name != "sampled") continue;
    site_id = task.site_id;
    ++total;
    if (task.stack != 0) {
      ++captured;
      distinct.insert(task.stack);
    }
  }
  EXPECT_EQ(total, 25u);
  EXPECT_EQ(captured, 4u) << "spawns 0 and 1, then 10 and 20";
  EXPECT_EQ(distinct.size(), 1u) << "identical stacks are interned once";
  EXPECT_NE(site_id, 0u);
  ctx.run();
}

TEST_F(StacksTest, SamplingOffCapturesNothing) {
  sample(stack_sampling::off());
  asio::io_context ctx;
  asio_console::co_spawn(ctx, []() -> asio::awaitable<void> { co_return; }, asio::detached, {.name = "unsampled"});
  for (const auto& task : instrumentation::take_snapshot().tasks) {
    if (task.name == "unsampled") {
      EXPECT_EQ(task.stack, 0u);
    }
  }
  ctx.run();
}

TEST(StackTable, InternsEqualFrameSequencesOnce) {
  instrumentation::stack_table table;
  void* a[] = {reinterpret_cast<void*>(0x1000), reinterpret_cast<void*>(0x2000)};
  void* b[] = {reinterpret_cast<void*>(0x1000), reinterpret_cast<void*>(0x3000)};
  const auto first = table.intern(a);
  EXPECT_EQ(table.intern(a), first);
  EXPECT_NE(table.intern(b), first);
  EXPECT_EQ(table.intern(std::span<void* const>()), 0u);
  EXPECT_EQ(table.size(), 2u);
  EXPECT_EQ(table.frames(first), (std::vector<std::uintptr_t>{0x1000, 0x2000}));
}

TEST(StackTable, UnknownAddressesSymbolizeToBareFrames) {
  instrumentation::stack_table table;
  const auto frames = table.symbolize_address(0x10);
  ASSERT_EQ(frames.size(), 1u);
  EXPECT_EQ(frames[0].address, 0x10u);
  EXPECT_TRUE(frames[0].function.empty());
}

TEST(CaptureStack, CapturesTheCallersFrames) {
  void* frames[32];
  const std::size_t depth = instrumentation::capture_stack(frames, 0);
  ASSERT_GT(depth, 2u);
  instrumentation::stack_table table;
  const auto symbolized = table.symbolize(table.intern({frames, depth}));
  EXPECT_TRUE(mentions(symbolized, "CapturesTheCallersFrames")) << describe(symbolized);
}

}  // namespace
