// Where a console connects, and how a failed call reads to a person.
#pragma once

#include <grpcpp/grpcpp.h>

#include <memory>
#include <string>
#include <string_view>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "asio_console/v1/instrument.grpc.pb.h"

namespace asio_console::console {

inline constexpr std::string_view default_target = "127.0.0.1:6669";

struct target {
  std::string text;          // as the user wrote it
  std::string grpc_address;  // as gRPC takes it
};

/// Parses "host:port", "[v6-address]:port" or "unix:/path". The error says what is wrong.
absl::StatusOr<target> parse_target(std::string_view text);

/// A stub on a fresh channel of its own (so one console's calls never share a connection that a
/// failed call poisoned).
/// `connect_timeout` bounds each connection attempt, the HTTP/2 handshake included.
std::unique_ptr<v1::Instrument::Stub> make_stub(const target& where, absl::Duration connect_timeout);

/// One line for a failed call: "cannot connect to 127.0.0.1:6669: Connection refused", ...
std::string describe_failure(const grpc::Status& status, const target& where, absl::Duration timeout);
/// One line for a target that answered (its stream started) but sent no whole snapshot in time.
std::string describe_slow_snapshot(const target& where, absl::Duration timeout);

}  // namespace asio_console::console
