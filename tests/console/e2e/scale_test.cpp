// A million live tasks: `asio-console dump --json` reads them all and counts them.
// (Plain builds only: under a sanitizer a million tasks take minutes.)
#include <gtest/gtest.h>

#include <boost/json.hpp>

#include "support/process.hpp"

namespace {
using namespace std::chrono_literals;
namespace json = boost::json;

TEST(Scale, DumpReadsAMillionLiveTasks) {
  auto target = asio_console::testing::start_sample_target(
      {"--extra_idle_tasks=1000000", "--leak_every=0", "--publish_interval=1s"});
  const auto result = asio_console::testing::run_command(
      {asio_console::testing::console_binary(), "dump", target.address, "--json", "--timeout=120s"}, 300s);
  ASSERT_EQ(result.exit_code, 0) << result.err;
  const json::value root = json::parse(result.out);
  std::size_t parked = 0;
  for (const json::value& t : root.at("tasks").as_array()) parked += t.at("name") == "parked";
  EXPECT_EQ(parked, 1'000'000u);
  const json::object& top = root.at("sites").as_array().at(0).as_object();
  EXPECT_EQ(top.at("live").to_number<std::int64_t>(), 1'000'000);
  EXPECT_EQ(top.at("idle").to_number<std::int64_t>(), 1'000'000);
  std::cout << "dump of 1,000,000 tasks took " << result.elapsed.count() << " ms, " << result.out.size() / 1'000'000
            << " MB of JSON\n";
}

}  // namespace
