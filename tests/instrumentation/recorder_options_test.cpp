// Configuration from the environment: good values are taken, bad ones explained and ignored.
#include <gtest/gtest.h>

#include <asio_console/instrumentation/recorder_options.hpp>
#include <cstdlib>

namespace {
namespace instrumentation = asio_console::instrumentation;
using instrumentation::recorder_options;
using instrumentation::stack_sampling;

// Sets an environment variable for the lifetime of the object.
class scoped_env {
 public:
  scoped_env(const char* name, const char* value) : name_(name) { ::setenv(name, value, 1); }
  ~scoped_env() { ::unsetenv(name_); }

 private:
  const char* name_;
};

TEST(RecorderOptions, DefaultsWithoutEnvironment) {
  std::vector<std::string> problems;
  const recorder_options options = recorder_options::from_environment(problems);
  EXPECT_TRUE(problems.empty());
  EXPECT_EQ(options.retention, absl::Minutes(1));
  EXPECT_EQ(options.stacks, (stack_sampling{16, 64}));
}

TEST(RecorderOptions, ReadsValidEnvironment) {
  scoped_env retention("ASIO_CONSOLE_RETENTION", "90s");
  scoped_env max_retained("ASIO_CONSOLE_MAX_RETAINED", "500");
  scoped_env stacks("ASIO_CONSOLE_STACKS", "first=4,every=100");
  std::vector<std::string> problems;
  const recorder_options options = recorder_options::from_environment(problems);
  EXPECT_TRUE(problems.empty());
  EXPECT_EQ(options.retention, absl::Seconds(90));
  EXPECT_EQ(options.max_retained, 500u);
  EXPECT_EQ(options.stacks, (stack_sampling{4, 100}));
}

TEST(RecorderOptions, BadValuesAreExplainedAndDefaultsKept) {
  scoped_env retention("ASIO_CONSOLE_RETENTION", "a while");
  scoped_env max_retained("ASIO_CONSOLE_MAX_RETAINED", "-3");
  scoped_env stacks("ASIO_CONSOLE_STACKS", "sometimes");
  std::vector<std::string> problems;
  const recorder_options options = recorder_options::from_environment(problems);
  ASSERT_EQ(problems.size(), 3u);
  EXPECT_NE(problems[0].find("ASIO_CONSOLE_RETENTION='a while'"), std::string::npos) << problems[0];
  EXPECT_NE(problems[0].find("30s"), std::string::npos) << "says what is expected: " << problems[0];
  EXPECT_NE(problems[1].find("ASIO_CONSOLE_MAX_RETAINED"), std::string::npos) << problems[1];
  EXPECT_NE(problems[2].find("ASIO_CONSOLE_STACKS='sometimes'"), std::string::npos) << problems[2];
  EXPECT_EQ(problems[1], "ignoring ASIO_CONSOLE_MAX_RETAINED='-3': expected a whole number; keeping " +
                             std::to_string(recorder_options{}.max_retained));
  EXPECT_EQ(options.retention, recorder_options{}.retention);
  EXPECT_EQ(options.max_retained, recorder_options{}.max_retained);
  EXPECT_EQ(options.stacks, recorder_options{}.stacks);
}

TEST(StackSampling, ParsesEveryForm) {
  EXPECT_EQ(*stack_sampling::parse("off"), stack_sampling::off());
  EXPECT_EQ(*stack_sampling::parse(" all "), stack_sampling::all());
  EXPECT_EQ(*stack_sampling::parse("first=3"), (stack_sampling{3, 64}));
  EXPECT_EQ(*stack_sampling::parse("every=7"), (stack_sampling{16, 7}));
  EXPECT_FALSE(stack_sampling::parse("").ok());
  EXPECT_FALSE(stack_sampling::parse("first=x").ok());
  EXPECT_FALSE(stack_sampling::parse("rarely").ok());
}

TEST(StackSampling, RoundTripsThroughText) {
  for (const stack_sampling sampling : {stack_sampling::off(), stack_sampling::all(), stack_sampling{5, 9}}) {
    EXPECT_EQ(*stack_sampling::parse(sampling.to_string()), sampling) << sampling.to_string();
  }
}

TEST(StackSampling, CapturesFirstThenEveryNth) {
  const stack_sampling sampling{2, 10};
  std::vector<std::uint64_t> captured;
  for (std::uint64_t n = 0; n < 31; ++n) {
    if (sampling.captures(n)) captured.push_back(n);
  }
  EXPECT_EQ(captured, (std::vector<std::uint64_t>{0, 1, 10, 20, 30}));
  EXPECT_FALSE(stack_sampling::off().captures(0));
  EXPECT_TRUE(stack_sampling::all().captures(123456));
}

}  // namespace
