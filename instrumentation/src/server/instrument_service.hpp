// The asio_console.v1.Instrument service: hands streams to the hub, answers the unary calls.
#pragma once

#include "asio_console/instrumentation/registry.hpp"
#include "asio_console/serve.hpp"
#include "asio_console/v1/instrument.grpc.pb.h"
#include "watcher_hub.hpp"

namespace asio_console::server_internal {

// The unary calls take their requests as bytes and parse them here, so that a malformed one is
// answered INVALID_ARGUMENT with a reason (gRPC's own parsing answers UNIMPLEMENTED).
using instrument_service_base = v1::Instrument::WithCallbackMethod_WatchUpdates<
    v1::Instrument::WithCallbackMethod_WatchTaskDetails<v1::Instrument::WithRawCallbackMethod_Pause<
        v1::Instrument::WithRawCallbackMethod_Resume<v1::Instrument::WithRawCallbackMethod_SymbolizeStacks<
            v1::Instrument::Service>>>>>;

class instrument_service final : public instrument_service_base {
 public:
  instrument_service(watcher_hub& hub, instrumentation::registry& registry, const serve_options& options)
      : hub_(hub), registry_(registry), options_(options) {}

  grpc::ServerWriteReactor<v1::Update>* WatchUpdates(grpc::CallbackServerContext* context,
                                                     const v1::WatchUpdatesRequest* request) override;
  grpc::ServerWriteReactor<v1::TaskDetails>* WatchTaskDetails(grpc::CallbackServerContext* context,
                                                              const v1::TaskDetailsRequest* request) override;
  grpc::ServerUnaryReactor* Pause(grpc::CallbackServerContext* context, const grpc::ByteBuffer* request,
                                  grpc::ByteBuffer* response) override;
  grpc::ServerUnaryReactor* Resume(grpc::CallbackServerContext* context, const grpc::ByteBuffer* request,
                                   grpc::ByteBuffer* response) override;
  grpc::ServerUnaryReactor* SymbolizeStacks(grpc::CallbackServerContext* context, const grpc::ByteBuffer* request,
                                            grpc::ByteBuffer* response) override;

 private:
  template <typename Request>
  grpc::Status set_paused(const grpc::ByteBuffer& request, bool paused);
  grpc::Status symbolize(const v1::SymbolizeStacksRequest& request, v1::SymbolizeStacksResponse& response);

  watcher_hub& hub_;
  instrumentation::registry& registry_;
  const serve_options& options_;
};

}  // namespace asio_console::server_internal
