// The in-process request path, one core: LSP frame parse -> JSON parse -> JSON-RPC classify ->
// dispatch through a Bindings table (typed params) -> reply serialised and framed. Reports
// requests/s (items_per_second). Target: >= 200k requests/s for a small request (printed, not asserted).
#include <benchmark/benchmark.h>

#include <string>
#include <vector>

#include "server/lsp/bindings.h"
#include "sysimage/protocol/framing.h"
#include "sysimage/protocol/jsonrpc.h"
#include "sysimage/protocol/sysimage.h"

namespace {

using namespace sysimage;
using protocol::json;

const std::string kPing = R"({"jsonrpc":"2.0","id":12345,"method":"sysimage/ping","params":{"delayMs":0}})";

struct PingHandler {
  void ping(const protocol::sysimage::PingParams&, lsp::Reply<json> reply) { reply(json::object()); }
};

/// The server's path for every frame in `events`; returns the bytes it would write.
std::size_t serve(const lsp::Bindings& bindings, std::vector<protocol::FrameEvent>& events) {
  std::size_t written = 0;
  for (auto& event : events) {
    auto& frame = std::get<protocol::Frame>(event);
    protocol::ParsedBody parsed = protocol::parseBody(frame.body);
    for (auto& message : parsed.messages) {
      auto& request = std::get<protocol::Request>(message);
      auto reply = std::make_shared<lsp::ReplyOnce>(request.id, request.method, [&written](json response) {
        written += protocol::frameMessage(protocol::dump(response)).size();
      });
      bindings.dispatch(request.method, request.params, reply);
    }
  }
  events.clear();
  return written;
}

void BM_FrameParse(benchmark::State& state) {
  const std::string wire = protocol::frameMessage(kPing);
  protocol::FrameParser parser;
  std::vector<protocol::FrameEvent> events;
  for (auto _ : state) {
    parser.feed(wire, events);
    benchmark::DoNotOptimize(events.data());
    events.clear();
  }
  state.SetItemsProcessed(state.iterations());
  state.SetBytesProcessed(state.iterations() * static_cast<int64_t>(wire.size()));
}
BENCHMARK(BM_FrameParse);

void BM_ParseAndClassify(benchmark::State& state) {
  for (auto _ : state) {
    auto parsed = protocol::parseBody(kPing);
    benchmark::DoNotOptimize(parsed.messages.data());
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_ParseAndClassify);

// One request per read (the interactive case).
void BM_DispatchOneRequest(benchmark::State& state) {
  PingHandler handler;
  lsp::Bindings bindings;
  bindings.request(protocol::sysimage::kPing, &handler, &PingHandler::ping);
  const std::string wire = protocol::frameMessage(kPing);
  protocol::FrameParser parser;
  std::vector<protocol::FrameEvent> events;
  std::size_t written = 0;
  for (auto _ : state) {
    parser.feed(wire, events);
    written += serve(bindings, events);
  }
  benchmark::DoNotOptimize(written);
  state.SetItemsProcessed(state.iterations());
  state.counters["target_req_per_s"] = 200000;
}
BENCHMARK(BM_DispatchOneRequest);

// A read buffer holding many pipelined requests, delivered in 64 KiB reads like StreamConnection does.
void BM_DispatchPipelined(benchmark::State& state) {
  PingHandler handler;
  lsp::Bindings bindings;
  bindings.request(protocol::sysimage::kPing, &handler, &PingHandler::ping);
  std::string wire;
  const int perBatch = 1000;
  for (int i = 0; i < perBatch; ++i) wire += protocol::frameMessage(kPing);
  protocol::FrameParser parser;
  std::vector<protocol::FrameEvent> events;
  std::size_t written = 0;
  for (auto _ : state) {
    std::string_view rest(wire);
    while (!rest.empty()) {
      const std::size_t n = std::min<std::size_t>(rest.size(), 64 * 1024);
      parser.feed(rest.substr(0, n), events);
      rest.remove_prefix(n);
      written += serve(bindings, events);
    }
  }
  benchmark::DoNotOptimize(written);
  state.SetItemsProcessed(state.iterations() * perBatch);
}
BENCHMARK(BM_DispatchPipelined);

}  // namespace
