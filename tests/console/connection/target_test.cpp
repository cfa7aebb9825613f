// Targets as users write them, and failures as users read them.
#include "connection/target.hpp"

#include <gtest/gtest.h>

namespace {
using namespace asio_console::console;

TEST(Target, AcceptsHostPortBracketedV6AndUnixSockets) {
  EXPECT_EQ(parse_target("127.0.0.1:6669")->grpc_address, "127.0.0.1:6669");
  EXPECT_EQ(parse_target("localhost:1")->grpc_address, "localhost:1");
  EXPECT_EQ(parse_target("[::1]:6669")->grpc_address, "[::1]:6669");
  EXPECT_EQ(parse_target("unix:/run/app.sock")->grpc_address, "unix:/run/app.sock");
}

TEST(Target, RejectsWhatCannotBeAnAddressWithAReason) {
  for (const char* bad : {"", "6669", "host:", "host:0", "host:65536", "host:12a", "[::1:80", "a b:80", "unix:"}) {
    const auto parsed = parse_target(bad);
    EXPECT_FALSE(parsed.ok()) << bad;
    EXPECT_FALSE(parsed.status().message().empty());
  }
}

TEST(Target, FailuresReadAsOneSentence) {
  const target where{"127.0.0.1:1", "127.0.0.1:1"};
  const std::string refused = describe_failure(
      grpc::Status(grpc::StatusCode::UNAVAILABLE,
                   "failed to connect to all addresses; last error: UNKNOWN: ipv4:127.0.0.1:1: Failed to connect to "
                   "remote host: Connection refused"),
      where, absl::Seconds(5));
  EXPECT_EQ(refused, "cannot connect to 127.0.0.1:1: Connection refused");
  EXPECT_EQ(describe_failure(grpc::Status(grpc::StatusCode::UNIMPLEMENTED, ""), where, absl::Seconds(5)),
            "127.0.0.1:1 does not serve the asio-console protocol");
  EXPECT_EQ(describe_failure(grpc::Status(grpc::StatusCode::DEADLINE_EXCEEDED, ""), where, absl::Seconds(2)),
            "no answer from 127.0.0.1:1 within 2.00s: is it an asio-console target?");
  const std::string multi_line = describe_failure(grpc::Status(grpc::StatusCode::INTERNAL, "a\nb"), where, absl::Seconds(1));
  EXPECT_EQ(multi_line.find('\n'), std::string::npos);
}

}  // namespace
