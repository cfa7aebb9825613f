// Bad input to `asio-console dump`: one short line on stderr, a non-zero exit, within seconds.
#include <gtest/gtest.h>
#include <grpcpp/grpcpp.h>

#include <boost/asio.hpp>
#include <cstdio>
#include <thread>

#include "asio_console/v1/instrument.grpc.pb.h"
#include "support/process.hpp"
#include "support/scripted_target.hpp"
#include "support/update_builder.hpp"

namespace {
namespace asio = boost::asio;
using namespace std::chrono_literals;
using asio::ip::tcp;
using asio_console::testing::command_result;
using asio_console::testing::console_binary;
using asio_console::testing::free_loopback_port;
using asio_console::testing::run_command;
using asio_console::testing::scripted_target;
namespace v1 = asio_console::v1;

command_result dump(const std::vector<std::string>& args) {
  std::vector<std::string> argv = {console_binary(), "dump"};
  argv.insert(argv.end(), args.begin(), args.end());
  return run_command(argv, 30s);
}

void expect_one_line_error(const command_result& result, int exit_code, const std::string& mentions) {
  EXPECT_EQ(result.exit_code, exit_code) << result.err;
  EXPECT_TRUE(result.out.empty()) << result.out;
  ASSERT_FALSE(result.err.empty());
  EXPECT_EQ(result.err.find('\n'), result.err.size() - 1) << "one line: " << result.err;
  EXPECT_NE(result.err.find(mentions), std::string::npos) << result.err;
}

// A TCP peer on loopback that answers every connection with `reply` (or nothing), on its own thread.
class fake_peer {
 public:
  explicit fake_peer(std::string reply) : acceptor_(ctx_, tcp::endpoint(asio::ip::address_v4::loopback(), 0)) {
    accept(std::move(reply));
    thread_ = std::thread([this] { ctx_.run_for(60s); });
  }
  ~fake_peer() {
    ctx_.stop();
    thread_.join();
    kept_.clear();
  }
  std::string address() const { return "127.0.0.1:" + std::to_string(acceptor_.local_endpoint().port()); }

 private:
  void accept(std::string reply) {
    acceptor_.async_accept([this, reply](boost::system::error_code error, tcp::socket socket) {
      if (error) return;
      auto peer = std::make_shared<tcp::socket>(std::move(socket));
      auto buffer = std::make_shared<std::array<char, 4096>>();
      peer->async_read_some(asio::buffer(*buffer), [this, peer, buffer, reply](boost::system::error_code, std::size_t) {
        if (!reply.empty()) asio::async_write(*peer, asio::buffer(reply), [peer](auto, auto) {});
        // Otherwise the connection stays open and silent.
        kept_.push_back(peer);
      });
      accept(reply);
    });
  }
  asio::io_context ctx_;
  std::vector<std::shared_ptr<tcp::socket>> kept_;  // touched on the io thread, then after join
  tcp::acceptor acceptor_;
  std::thread thread_;
};

// A gRPC server that speaks the service but another protocol version.
class future_version_service final : public asio_console::v1::Instrument::Service {
  grpc::Status WatchUpdates(grpc::ServerContext*, const asio_console::v1::WatchUpdatesRequest*,
                            grpc::ServerWriter<asio_console::v1::Update>* writer) override {
    asio_console::v1::Update update;
    update.set_protocol_version(2);
    update.set_snapshot(true);
    update.set_now_ns(1);
    writer->Write(update);
    return grpc::Status::OK;
  }
};

TEST(BadInput, NothingListeningIsAOneLineErrorAtOnce) {
  const command_result result = dump({"127.0.0.1:" + std::to_string(free_loopback_port())});
  expect_one_line_error(result, 1, "cannot connect");
  EXPECT_LT(result.elapsed, 5s);
}

TEST(BadInput, MalformedTargetsAreUsageErrors) {
  expect_one_line_error(dump({"nonsense"}), 2, "no port");
  expect_one_line_error(dump({"127.0.0.1:99999"}), 2, "not a port");
  expect_one_line_error(dump({"127.0.0.1:http"}), 2, "not a port");
  expect_one_line_error(dump({"unix:"}), 2, "no socket path");
  expect_one_line_error(dump({"bad host:80"}), 2, "not a host name");
  expect_one_line_error(dump({"127.0.0.1:1", "127.0.0.1:2"}), 2, "at most one TARGET");
}

TEST(BadInput, FlagErrorsAreUsageErrorsInOneLine) {
  const std::string nobody = "127.0.0.1:" + std::to_string(free_loopback_port());
  expect_one_line_error(dump({nobody, "--bogus-flag"}), 2, "asio-console: unknown flag --bogus-flag");
  expect_one_line_error(dump({nobody, "--timeout=abc"}), 2, "asio-console: --timeout=abc: not a valid value");
  expect_one_line_error(dump({nobody, "--timeout=-1s"}), 2, "--timeout=-1s: a duration must not be negative");
  expect_one_line_error(dump({nobody, "--timeout"}), 2, "--timeout needs a value");
  expect_one_line_error(dump({nobody, "--flagfile=/etc/passwd"}), 2, "unknown flag --flagfile");  // Abseil's own
  const command_result ui = run_command({console_binary(), "--retain-for=soon"}, 30s);
  expect_one_line_error(ui, 2, "--retain-for=soon: not a valid value");
  // The forms that are valid still are: a separate value, underscores, --noBOOL.
  expect_one_line_error(dump({nobody, "--timeout", "2s", "--sample_for=0s", "--nojson"}), 1, "cannot connect");
}

TEST(BadInput, MissingUnixSocketIsAOneLineError) {
  const command_result result = dump({"unix:/nonexistent/asio-console.sock"});
  expect_one_line_error(result, 1, "cannot connect");
  EXPECT_LT(result.elapsed, 5s);
}

TEST(BadInput, AnHttpServerOnThePortIsRecognized) {
  fake_peer http("HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\nConnection: close\r\n\r\n");
  const command_result result = dump({http.address(), "--timeout=3s"});
  EXPECT_EQ(result.exit_code, 1) << result.err;
  EXPECT_EQ(result.err.find('\n'), result.err.size() - 1) << result.err;
  EXPECT_NE(result.err.find(http.address()), std::string::npos) << result.err;
  EXPECT_LT(result.elapsed, 5s);
}

TEST(BadInput, ASilentPeerTimesOut) {
  fake_peer silent("");
  const command_result result = dump({silent.address(), "--timeout=2s"});
  expect_one_line_error(result, 1, silent.address());
  EXPECT_LT(result.elapsed, 6s);
}

// A gRPC server on a free loopback port with one service; stops when destroyed.
class grpc_peer {
 public:
  explicit grpc_peer(grpc::Service& service) {
    grpc::ServerBuilder builder;
    builder.AddListeningPort("127.0.0.1:0", grpc::InsecureServerCredentials(), &port_);
    builder.RegisterService(&service);
    server_ = builder.BuildAndStart();
  }
  ~grpc_peer() {
    if (server_) server_->Shutdown(std::chrono::system_clock::now() + 1s);
  }
  std::string address() const { return "127.0.0.1:" + std::to_string(port_); }

 private:
  int port_ = 0;
  std::unique_ptr<grpc::Server> server_;
};

TEST(BadInput, AnotherProtocolVersionIsRefused) {
  future_version_service service;
  grpc_peer peer(service);
  expect_one_line_error(dump({peer.address()}), 1, "protocol version 2");
}

TEST(BadInput, AGrpcServerThatDoesNotImplementTheServiceIsNamedAsSuch) {
  asio_console::v1::Instrument::Service unimplemented;  // answers UNIMPLEMENTED, like any other gRPC server
  grpc_peer peer(unimplemented);
  expect_one_line_error(dump({peer.address()}), 1, "does not serve the asio-console protocol");
}

TEST(BadInput, UnknownFlagsFailAndHelpSucceeds) {
  expect_one_line_error(dump({"--no-such-flag"}), 2, "unknown flag --no-such-flag");
  const command_result help = run_command({console_binary(), "dump", "--help"}, 10s);
  EXPECT_EQ(help.exit_code, 0) << help.err;
  EXPECT_NE((help.out + help.err).find("--json"), std::string::npos);
  EXPECT_EQ((help.out + help.err).find("--no_colors"), std::string::npos) << "only dump's flags";
  const command_result ui_help = run_command({console_binary(), "--help"}, 10s);
  EXPECT_EQ(ui_help.exit_code, 0);
  EXPECT_NE((ui_help.out + ui_help.err).find("--retain-for"), std::string::npos);
}

TEST(BadInput, TheTerminalUiWithoutATerminalSaysToUseDump) {
  const command_result result = run_command({console_binary(), "127.0.0.1:1"}, 10s);
  expect_one_line_error(result, 2, "dump");
}

// A target that answers but cannot make its snapshot whole in time (busy, or too many consoles at
// once) is said to be slow, with the remedy, not taken for something that is no asio-console target.
TEST(BadInput, ATargetWhoseSnapshotIsNotWholeInTimeIsSaidToBeSlowNotForeign) {
  scripted_target target({.updates = [](int) {
    asio_console::testing::update_builder updates;
    v1::Update first_chunk = updates.publication(1'000'000'000, true)
                                 .site(1, "/src/app.cpp", 1, "app()")
                                 .new_task({.id = 1, .name = "worker"})
                                 .build();
    first_chunk.set_last_chunk(false);  // the rest of the snapshot never comes
    return std::vector<v1::Update>{first_chunk};
  }});
  const command_result result = dump({target.address(), "--timeout=1s"});
  expect_one_line_error(result, 1, target.address() + " answered but its snapshot was not whole within 1.00s");
  EXPECT_NE(result.err.find("a longer --timeout waits for it"), std::string::npos) << result.err;
  EXPECT_EQ(result.err.find("asio-console target"), std::string::npos) << result.err;
}

// A snapshot that never ends: its first chunk, then chunks of 1 MiB of new strings, forever.
scripted_target endless_snapshot() {
  return scripted_target({.updates = [](int) {
                            v1::Update first = asio_console::testing::update_builder().publication(1'000'000'000, true).build();
                            first.set_last_chunk(false);
                            return std::vector<v1::Update>{first};
                          },
                          .then_forever = [](int, int index) {
                            v1::Update more;
                            more.set_protocol_version(1);
                            more.set_now_ns(1'000'000'000);
                            more.set_last_chunk(false);
                            v1::InternedString* s = more.add_new_strings();
                            s->set_id(static_cast<std::uint32_t>(index + 1));
                            s->set_value(std::string(1 << 20, static_cast<char>('a' + index % 26)));
                            return more;
                          }});
}

TEST(BadInput, ASnapshotThatNeverEndsStopsTheDumpAtItsSizeLimitInOneLine) {
  scripted_target target = endless_snapshot();
  const auto started = std::chrono::steady_clock::now();
  const command_result limited = dump({target.address(), "--timeout=5s", "--max-snapshot=64MiB"});
  expect_one_line_error(limited, 1, "the target sent more than 64 MiB in one publication");
  EXPECT_NE(limited.err.find("--max-snapshot"), std::string::npos) << limited.err;
  EXPECT_LT(std::chrono::steady_clock::now() - started, 20s);
  // At the default limit (256 MiB) too, in bounded memory. A generous --timeout: 256 MiB through a
  // sanitized target on a machine busy with other tests can pause for seconds, and silence is not
  // what this looks at.
  const command_result by_default =
      asio_console::testing::run_measured({console_binary(), "dump", target.address(), "--timeout=30s"}, 90s);
  expect_one_line_error(by_default, 1, "the target sent more than 256 MiB in one publication");
#if !defined(__SANITIZE_ADDRESS__) && !defined(__SANITIZE_THREAD__)
  EXPECT_GT(by_default.max_rss_kib, 0) << "measured";
  EXPECT_LT(by_default.max_rss_kib, 1024 * 1024) << "KiB (README: under 1 GiB)";
  std::printf("the dump's peak memory: %ld MiB\n", by_default.max_rss_kib / 1024);
#endif
}

}  // namespace
