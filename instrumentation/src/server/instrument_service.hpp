// The asio_console.v1.Instrument service: hands streams to the hub, answers the unary calls.
#pragma once

#include "asio_console/instrumentation/registry.hpp"
#include "asio_console/serve.hpp"
#include "asio_console/v1/instrument.grpc.pb.h"
#include "watcher_hub.hpp"

namespace asio_console::server_internal {

class instrument_service final : public v1::Instrument::CallbackService {
 public:
  instrument_service(watcher_hub& hub, instrumentation::registry& registry, const serve_options& options)
      : hub_(hub), registry_(registry), options_(options) {}

  grpc::ServerWriteReactor<v1::Update>* WatchUpdates(grpc::CallbackServerContext* context,
                                                     const v1::WatchUpdatesRequest* request) override;
  grpc::ServerWriteReactor<v1::TaskDetails>* WatchTaskDetails(grpc::CallbackServerContext* context,
                                                              const v1::TaskDetailsRequest* request) override;
  grpc::ServerUnaryReactor* Pause(grpc::CallbackServerContext* context, const v1::PauseRequest* request,
                                  v1::PauseResponse* response) override;
  grpc::ServerUnaryReactor* Resume(grpc::CallbackServerContext* context, const v1::ResumeRequest* request,
                                   v1::ResumeResponse* response) override;
  grpc::ServerUnaryReactor* SymbolizeStacks(grpc::CallbackServerContext* context,
                                            const v1::SymbolizeStacksRequest* request,
                                            v1::SymbolizeStacksResponse* response) override;

 private:
  watcher_hub& hub_;
  instrumentation::registry& registry_;
  const serve_options& options_;
};

}  // namespace asio_console::server_internal
