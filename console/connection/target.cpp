#include "connection/target.hpp"

#include <algorithm>
#include <cstdint>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_replace.h"
#include "model/format.hpp"

namespace asio_console::console {

absl::StatusOr<target> parse_target(std::string_view text) {
  const std::string shown(text);
  if (shown.starts_with("unix:")) {
    if (shown.size() == 5) return absl::InvalidArgumentError("target \"unix:\" names no socket path");
    return target{shown, shown};
  }
  const std::size_t colon = shown.rfind(':');
  if (colon == std::string::npos) {
    return absl::InvalidArgumentError(absl::StrCat("target \"", shown, "\" has no port: use host:port or unix:PATH"));
  }
  const std::string host = shown.substr(0, colon);
  const std::string port_text = shown.substr(colon + 1);
  std::uint32_t port = 0;
  const bool digits = !port_text.empty() && port_text.size() <= 5 &&
                      std::all_of(port_text.begin(), port_text.end(), [](char c) { return c >= '0' && c <= '9'; });
  if (digits) port = static_cast<std::uint32_t>(std::stoul(port_text));
  if (!digits || port == 0 || port > 65535) {
    return absl::InvalidArgumentError(absl::StrCat("target \"", shown, "\": \"", port_text, "\" is not a port (1-65535)"));
  }
  if (host.starts_with("[")) {
    if (!host.ends_with("]") || host.size() < 3) {
      return absl::InvalidArgumentError(absl::StrCat("target \"", shown, "\": unbalanced brackets around the address"));
    }
  } else {
    const bool valid_host = !host.empty() && std::all_of(host.begin(), host.end(), [](char c) {
      return absl::ascii_isalnum(static_cast<unsigned char>(c)) || c == '.' || c == '-' || c == '_';
    });
    if (!valid_host) {
      return absl::InvalidArgumentError(absl::StrCat("target \"", shown, "\": \"", host, "\" is not a host name or address"));
    }
  }
  return target{shown, shown};
}

std::unique_ptr<v1::Instrument::Stub> make_stub(const target& where, absl::Duration connect_timeout) {
  grpc::ChannelArguments arguments;
  // gRPC's name for how long one connection attempt, handshake included, may take (20s by
  // default): a target that accepts and never answers fails within the console's --timeout.
  arguments.SetInt(GRPC_ARG_MIN_RECONNECT_BACKOFF_MS,
                   static_cast<int>(std::clamp<std::int64_t>(absl::ToInt64Milliseconds(connect_timeout), 100, 3'600'000)));
  arguments.SetInt(GRPC_ARG_USE_LOCAL_SUBCHANNEL_POOL, 1);
  arguments.SetMaxReceiveMessageSize(64 << 20);
  // Fail over to a retry quickly: a console reconnects on its own schedule.
  arguments.SetInt(GRPC_ARG_INITIAL_RECONNECT_BACKOFF_MS, 250);
  arguments.SetInt(GRPC_ARG_MAX_RECONNECT_BACKOFF_MS, 2000);
  return v1::Instrument::NewStub(
      grpc::CreateCustomChannel(where.grpc_address, grpc::InsecureChannelCredentials(), arguments));
}

namespace {
// gRPC's messages can span lines and repeat the address; keep the part after the last "error: ".
std::string reason_of(const grpc::Status& status) {
  std::string message = absl::StrReplaceAll(status.error_message(), {{"\n", " "}, {"\r", " "}});
  for (const std::string marker : {"last error: ", "Failed to connect to remote host: "}) {
    const std::size_t at = message.rfind(marker);
    if (at != std::string::npos) message = message.substr(at + marker.size());
  }
  for (const std::string prefix : {"UNKNOWN: ", "UNAVAILABLE: "}) {
    if (message.starts_with(prefix)) message = message.substr(prefix.size());
  }
  return std::string(absl::StripAsciiWhitespace(message));
}
}  // namespace

std::string describe_failure(const grpc::Status& status, const target& where, absl::Duration timeout) {
  const std::string reason = reason_of(status);
  switch (status.error_code()) {
    case grpc::StatusCode::UNAVAILABLE:
      if (contains_ignoring_case(reason, "http1") || contains_ignoring_case(reason, "http/1")) {
        return absl::StrCat(where.text, " is an HTTP/1 server, not an asio-console target");
      }
      return absl::StrCat("cannot connect to ", where.text, ": ", reason.empty() ? "unavailable" : reason);
    case grpc::StatusCode::DEADLINE_EXCEEDED:
      return absl::StrCat("no answer from ", where.text, " within ", format_duration(absl::ToInt64Nanoseconds(timeout)),
                          ": is it an asio-console target?");
    case grpc::StatusCode::INVALID_ARGUMENT:
      return absl::StrCat(where.text, " refused a request: ", reason);
    case grpc::StatusCode::UNIMPLEMENTED:
      return absl::StrCat(where.text, " does not serve the asio-console protocol");
    case grpc::StatusCode::FAILED_PRECONDITION:
      return absl::StrCat(where.text, ": ", reason);
    case grpc::StatusCode::RESOURCE_EXHAUSTED:
      if (reason.starts_with("too many streams")) return absl::StrCat(where.text, " refused this console: ", reason);
      return absl::StrCat(where.text, " cut this console off: ", reason);
    default:
      if (contains_ignoring_case(reason, "http")) {
        return absl::StrCat(where.text, " does not speak gRPC (", reason, ")");
      }
      return absl::StrCat(where.text, ": ", reason.empty() ? "call failed" : reason, " (gRPC status ",
                          static_cast<int>(status.error_code()), ")");
  }
}

std::string describe_slow_snapshot(const target& where, absl::Duration timeout) {
  return absl::StrCat(where.text, " answered but its snapshot was not whole within ",
                      format_duration(absl::ToInt64Nanoseconds(timeout)),
                      ": the process is busy or has many tasks (a longer --timeout waits for it)");
}

}  // namespace asio_console::console
