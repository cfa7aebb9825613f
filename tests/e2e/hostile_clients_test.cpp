// Careless and hostile clients against a real server on loopback: they are refused with a reason,
// cut off or closed by the limits serve_options states, and the process they target keeps serving
// (its memory included). Also fork(): a child's copy of the server is inert.
#include <gtest/gtest.h>
#include <grpcpp/impl/client_unary_call.h>
#include <grpcpp/grpcpp.h>
#include <sys/wait.h>
#include <unistd.h>

#include <asio_console/asio_console.hpp>
#include <boost/asio.hpp>
#include <thread>

#include "discovery/process_directory.hpp"
#include "support/proc_status.hpp"
#include "support/process.hpp"
#include "support/update_reader.hpp"

namespace {
namespace asio = boost::asio;
using namespace std::chrono_literals;
using asio_console::testing::console_model;
using asio_console::testing::run_command;
using asio_console::testing::status_kib;
using asio_console::testing::update_reader;
namespace v1 = asio_console::v1;

asio_console::serve_options loopback_options() {
  asio_console::serve_options options;
  options.bind = "127.0.0.1:0";
  options.publish_interval = absl::Milliseconds(50);
  return options;
}

// A stub on a connection of its own (gRPC shares one between channels to the same address).
std::unique_ptr<v1::Instrument::Stub> own_connection(const std::string& address) {
  grpc::ChannelArguments arguments;
  arguments.SetInt(GRPC_ARG_USE_LOCAL_SUBCHANNEL_POOL, 1);
  return v1::Instrument::NewStub(grpc::CreateCustomChannel(address, grpc::InsecureChannelCredentials(), arguments));
}

// One WatchUpdates stream: open once its first message (the watcher id) arrived.
struct watch {
  grpc::ClientContext context;
  std::unique_ptr<grpc::ClientReader<v1::Update>> reader;
  v1::Update first;
  bool opened = false;

  explicit watch(v1::Instrument::Stub& stub) {
    context.set_deadline(std::chrono::system_clock::now() + 60s);
    v1::WatchUpdatesRequest request;
    request.set_protocol_version(1);
    reader = stub.WatchUpdates(&context, request);
    opened = reader->Read(&first);
  }
  grpc::Status close() {
    context.TryCancel();
    v1::Update ignored;
    while (reader->Read(&ignored)) {
    }
    return reader->Finish();
  }
};

TEST(HostileClients, StreamsOverThePerConnectionCapAreRefusedWithAReason) {
  asio_console::serve_options options = loopback_options();
  options.max_streams_per_connection = 3;
  asio_console::server server = asio_console::serve(options);
  ASSERT_TRUE(server.ok()) << server.status();
  auto stub = own_connection(server.address());

  std::vector<std::unique_ptr<watch>> open;
  for (int i = 0; i < 3; ++i) {
    open.push_back(std::make_unique<watch>(*stub));
    ASSERT_TRUE(open.back()->opened) << "stream " << i << " is within the cap";
  }
  watch over(*stub);
  EXPECT_FALSE(over.opened);
  const grpc::Status refused = over.reader->Finish();
  EXPECT_EQ(refused.error_code(), grpc::StatusCode::RESOURCE_EXHAUSTED);
  EXPECT_NE(refused.error_message().find("max_streams_per_connection"), std::string::npos) << refused.error_message();

  // A details stream counts too; another connection is not limited by this one.
  {
    grpc::ClientContext context;
    v1::TaskDetailsRequest request;
    request.set_task_id(1);
    auto details = stub->WatchTaskDetails(&context, request);
    v1::TaskDetails ignored;
    while (details->Read(&ignored)) {
    }
    EXPECT_EQ(details->Finish().error_code(), grpc::StatusCode::RESOURCE_EXHAUSTED);
  }
  auto other = own_connection(server.address());
  watch elsewhere(*other);
  EXPECT_TRUE(elsewhere.opened);

  // A stream closed makes room again (the server forgets it once gRPC is done with it).
  open.back()->close();
  open.pop_back();
  bool reopened = false;
  for (int attempt = 0; attempt < 50 && !reopened; ++attempt) {
    auto again = std::make_unique<watch>(*stub);
    reopened = again->opened;
    if (reopened) open.push_back(std::move(again));
    else std::this_thread::sleep_for(20ms);
  }
  EXPECT_TRUE(reopened);
  for (auto& stream : open) stream->close();
  elsewhere.close();
}

TEST(HostileClients, StreamsOverTheTotalCapAreRefusedAndTheConsoleSaysWhy) {
  asio_console::serve_options options = loopback_options();
  options.max_streams = 2;
  asio_console::server server = asio_console::serve(options);
  ASSERT_TRUE(server.ok()) << server.status();
  auto first_client = own_connection(server.address());
  auto second_client = own_connection(server.address());
  watch first(*first_client), second(*second_client);
  ASSERT_TRUE(first.opened && second.opened);

  auto third_client = own_connection(server.address());
  watch third(*third_client);
  EXPECT_FALSE(third.opened);
  const grpc::Status refused = third.reader->Finish();
  EXPECT_EQ(refused.error_code(), grpc::StatusCode::RESOURCE_EXHAUSTED);
  EXPECT_NE(refused.error_message().find("max_streams)"), std::string::npos) << refused.error_message();

  // The real console, refused, says so in one line and exits non-zero at once.
  const auto dumped = run_command({asio_console::testing::console_binary(), "dump", server.address(), "--timeout=10s"}, 30s);
  EXPECT_EQ(dumped.exit_code, 1) << dumped.err;
  EXPECT_EQ(dumped.err, "asio-console: " + server.address() + " refused this console: too many streams: this process already serves 2, "
                        "its limit (serve_options::max_streams)\n");
  EXPECT_LT(dumped.elapsed, 10s);
  first.close();
  second.close();
}

TEST(HostileClients, UnixSocketClientsAreBoundedByTheTotalOnly) {
  // gRPC names every unix client "unix:": the per-connection cap would make them share one.
  asio_console::serve_options options = loopback_options();
  options.bind = "unix:/tmp/asio-console-hostile-" + std::to_string(::getpid()) + ".sock";
  options.max_streams_per_connection = 2;
  options.max_streams = 5;
  asio_console::server server = asio_console::serve(options);
  ASSERT_TRUE(server.ok()) << server.status();
  std::vector<std::unique_ptr<v1::Instrument::Stub>> clients;
  std::vector<std::unique_ptr<watch>> open;
  for (int i = 0; i < 5; ++i) {
    clients.push_back(own_connection(server.address()));
    open.push_back(std::make_unique<watch>(*clients.back()));
    EXPECT_TRUE(open.back()->opened) << "console " << i;
  }
  clients.push_back(own_connection(server.address()));
  watch over(*clients.back());
  EXPECT_FALSE(over.opened);
  EXPECT_NE(over.reader->Finish().error_message().find("max_streams)"), std::string::npos);
  for (auto& stream : open) stream->close();
}

TEST(HostileClients, AHugeRequestIsRefusedBeforeTheTargetHoldsIt) {
  auto target = asio_console::testing::start_sample_target();
  const pid_t pid = target.process->pid();
  auto stub = own_connection(target.address);
  {  // warm up the connection and the server's first allocations
    grpc::ClientContext context;
    v1::SymbolizeStacksRequest request;
    v1::SymbolizeStacksResponse response;
    ASSERT_TRUE(stub->SymbolizeStacks(&context, request, &response).ok());
  }
  const long peak_before = status_kib(pid, "VmHWM");
  ASSERT_GT(peak_before, 0);

  v1::SymbolizeStacksRequest huge;  // about 100 MB on the wire
  huge.mutable_stack_ids()->Reserve(25'000'000);
  for (int i = 0; i < 25'000'000; ++i) huge.add_stack_ids(0x0fffffff);
  grpc::ClientContext context;
  context.set_deadline(std::chrono::system_clock::now() + 60s);
  v1::SymbolizeStacksResponse response;
  const grpc::Status refused = stub->SymbolizeStacks(&context, huge, &response);
  EXPECT_EQ(refused.error_code(), grpc::StatusCode::RESOURCE_EXHAUSTED) << refused.error_message();

  const long peak_after = status_kib(pid, "VmHWM");
  std::printf("target peak RSS %ld kB before, %ld kB after a 100 MB request\n", peak_before, peak_after);
  // gRPC holds at most its 16 MiB quota of what clients send, whatever they send. (A sanitizer's
  // shadow memory and quarantine make the peak say little in those builds.)
#if !defined(__SANITIZE_THREAD__) && !defined(__SANITIZE_ADDRESS__)
  EXPECT_LT(peak_after - peak_before, 24 * 1024) << "the target never held the whole request";
#endif

  // And it still serves.
  update_reader look(target.address);
  EXPECT_TRUE(look.read_until([](const console_model& m) { return m.snapshots >= 1; }, 20s));
}

TEST(HostileClients, AConnectionThatNeverHandshakesIsClosedByTheServer) {
  asio_console::server server = asio_console::serve(loopback_options());
  ASSERT_TRUE(server.ok()) << server.status();
  const auto colon = server.address().rfind(':');
  asio::io_context ctx;
  asio::ip::tcp::socket silent(ctx);
  silent.connect({asio::ip::make_address("127.0.0.1"),
                  static_cast<unsigned short>(std::stoi(server.address().substr(colon + 1)))});
  const auto connected = std::chrono::steady_clock::now();
  // Sends nothing (and takes the server's SETTINGS). The server's handshake timeout closes it:
  // the read ends, well before gRPC's default two minutes.
  silent.non_blocking(true);
  boost::system::error_code error;
  char bytes[256];
  while (std::chrono::steady_clock::now() - connected < 30s) {
    silent.read_some(asio::buffer(bytes), error);
    if (error && error != asio::error::would_block) break;
    if (error) std::this_thread::sleep_for(50ms);
  }
  const auto held = std::chrono::steady_clock::now() - connected;
  EXPECT_TRUE(error == asio::error::eof || error == asio::error::connection_reset) << error.message();
  EXPECT_LT(held, 15s);

  update_reader look(server.address());  // the server is unharmed
  EXPECT_TRUE(look.read_until([](const console_model& m) { return m.snapshots >= 1; }, 20s));
}

TEST(HostileClients, ATargetThatAcceptsAndNeverAnswersFailsTheConsoleWithinItsTimeout) {
  asio::io_context ctx;
  asio::ip::tcp::acceptor mute(ctx, {asio::ip::make_address("127.0.0.1"), 0});
  std::vector<asio::ip::tcp::socket> accepted;
  std::function<void()> accept_next = [&] {
    mute.async_accept([&](boost::system::error_code error, asio::ip::tcp::socket socket) {
      if (error) return;
      accepted.push_back(std::move(socket));  // held open, never written to
      accept_next();
    });
  };
  accept_next();
  std::thread runner([&] { ctx.run_for(40s); });
  const std::string address = "127.0.0.1:" + std::to_string(mute.local_endpoint().port());
  const auto dumped = run_command({asio_console::testing::console_binary(), "dump", address, "--timeout=2s"}, 30s);
  asio::post(ctx, [&] { ctx.stop(); });
  runner.join();
  EXPECT_EQ(dumped.exit_code, 1) << dumped.err;
  EXPECT_NE(dumped.err.find(address), std::string::npos) << dumped.err;
  EXPECT_EQ(std::count(dumped.err.begin(), dumped.err.end(), '\n'), 1) << dumped.err;
  EXPECT_LT(dumped.elapsed, 8s) << "the handshake wait follows --timeout, not gRPC's 20 s";
}

TEST(HostileClients, AForkedChildStopsItsCopyAtOnceAndTheParentKeepsServing) {
  asio_console::server server = asio_console::serve(loopback_options());
  ASSERT_TRUE(server.ok()) << server.status();
  {  // a console attached while the process forks
    update_reader before(server.address());
    ASSERT_TRUE(before.read_until([](const console_model& m) { return m.snapshots >= 1; }, 20s));
  }

  const pid_t child = ::fork();
  ASSERT_GE(child, 0);
  if (child == 0) {
    ::alarm(10);     // a hang shows as SIGALRM
    server.stop();   // inert: returns at once
    server = {};     // destroyed, too
    ::_exit(0);
  }
  int status = 0;
  const auto forked = std::chrono::steady_clock::now();
  while (::waitpid(child, &status, WNOHANG) == 0 && std::chrono::steady_clock::now() - forked < 20s) {
    std::this_thread::sleep_for(10ms);
  }
  ASSERT_TRUE(WIFEXITED(status)) << "the child hung or crashed (signal " << (WIFSIGNALED(status) ? WTERMSIG(status) : 0) << ")";
  EXPECT_EQ(WEXITSTATUS(status), 0);

  // The parent's listener, stream and `ps` entry are untouched.
  update_reader after(server.address());
  EXPECT_TRUE(after.read_until([](const console_model& m) { return m.snapshots >= 1; }, 20s));
  const auto listed = asio_console::discovery::find_process(::getpid());
  EXPECT_TRUE(listed.ok()) << listed.status();
}

TEST(HostileClients, AMalformedRequestIsAnInvalidArgumentNotUnimplemented) {
  asio_console::server server = asio_console::serve(loopback_options());
  ASSERT_TRUE(server.ok()) << server.status();
  grpc::ChannelArguments arguments;
  arguments.SetInt(GRPC_ARG_USE_LOCAL_SUBCHANNEL_POOL, 1);
  auto channel = grpc::CreateCustomChannel(server.address(), grpc::InsecureChannelCredentials(), arguments);
  const std::string garbage = "\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\x01";  // wire type 7: no message
  for (const char* method : {"/asio_console.v1.Instrument/SymbolizeStacks", "/asio_console.v1.Instrument/Pause",
                             "/asio_console.v1.Instrument/Resume"}) {
    grpc::ClientContext context;
    context.set_deadline(std::chrono::system_clock::now() + 10s);
    grpc::Slice slice(garbage);
    grpc::ByteBuffer request(&slice, 1), response;
    // The bytes as they are, synchronously (gRPC's generic stub only calls back, on its own threads).
    const grpc::Status status = grpc::internal::BlockingUnaryCall<grpc::ByteBuffer, grpc::ByteBuffer>(
        channel.get(), grpc::internal::RpcMethod(method, grpc::internal::RpcMethod::NORMAL_RPC), &context, request,
        &response);
    EXPECT_EQ(status.error_code(), grpc::StatusCode::INVALID_ARGUMENT) << method << ": " << status.error_message();
    EXPECT_NE(status.error_message().find("malformed"), std::string::npos) << method << ": " << status.error_message();
  }
}

}  // namespace
