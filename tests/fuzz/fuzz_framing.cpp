// libFuzzer target: arbitrary bytes through FrameParser (fed in two chunks split at a point chosen by
// the input) and every frame body through parseBody and the reply builders. Checks the parser's
// documented bounds and that a clean stream gives the same frames however it is chunked;
// sanitizers (ASan, UBSan) catch the rest. Run with scripts/fuzz.
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>
#include <vector>

#include "sysimage/protocol/framing.h"
#include "sysimage/protocol/jsonrpc.h"

namespace {

using namespace sysimage::protocol;

// Small limits so that HeaderTooLong and BodyTooLarge are within the fuzzer's reach.
constexpr FramingLimits kLimits{4096, 256};

void check(bool ok) {
  if (!ok) std::abort();
}

void exerciseBody(const std::string& body) {
  const ParsedBody parsed = parseBody(body);
  check(!parsed.messages.empty());
  for (const Message& message : parsed.messages) {
    // Every outcome must be answerable: the reply serialises without throwing.
    if (const auto* request = std::get_if<Request>(&message)) {
      check(request->params.is_null() || request->params.is_object() || request->params.is_array());
      (void)dump(makeResult(request->id, request->params));
    } else if (const auto* invalid = std::get_if<InvalidMessage>(&message)) {
      check(!invalid->error.message.empty());
      (void)dump(makeError(invalid->id, invalid->error));
    } else if (const auto* response = std::get_if<Response>(&message)) {
      check(response->result.has_value() != response->error.has_value());
      (void)dump(response->id);
    } else {
      (void)dump(makeNotification(std::get<Notification>(message).method, std::get<Notification>(message).params));
    }
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view input(reinterpret_cast<const char*>(data), size);
  const std::size_t split = size < 2 ? 0 : (data[0] | (std::size_t{data[1]} << 8)) % (size + 1);

  FrameParser parser(kLimits);
  std::vector<FrameEvent> events;
  parser.feed(input.substr(0, split), events);
  check(parser.pendingBytes() <= kLimits.maxHeaderBytes + kLimits.maxBodyBytes);
  parser.feed(input.substr(split), events);
  check(parser.pendingBytes() <= kLimits.maxHeaderBytes + kLimits.maxBodyBytes);
  const auto truncated = parser.finish();
  check(!truncated || truncated->kind == FrameError::Kind::TruncatedFrame);

  std::size_t frameBytes = 0;
  for (const FrameEvent& event : events) {
    if (const auto* frame = std::get_if<Frame>(&event)) {
      check(frame->body.size() <= kLimits.maxBodyBytes);
      frameBytes += frame->body.size();
      exerciseBody(frame->body);
    } else {
      const auto& error = std::get<FrameError>(event);
      check(!error.message.empty());
      check(error.kind != FrameError::Kind::TruncatedFrame);  // only finish() reports that
    }
  }
  check(frameBytes <= size);

  // Chunking must not matter on a clean stream: fed whole, the same frames come out.
  FrameParser whole(kLimits);
  std::vector<FrameEvent> wholeEvents;
  whole.feed(input, wholeEvents);
  const auto isError = [](const FrameEvent& e) { return std::holds_alternative<FrameError>(e); };
  if (std::none_of(events.begin(), events.end(), isError) &&
      std::none_of(wholeEvents.begin(), wholeEvents.end(), isError)) {
    check(events.size() == wholeEvents.size());
    for (std::size_t i = 0; i < events.size(); ++i) {
      check(std::get<Frame>(events[i]).body == std::get<Frame>(wholeEvents[i]).body);
    }
  }

  // The whole input as one body too: the fuzzer then reaches parseBody without framing first.
  if (size <= kLimits.maxBodyBytes) exerciseBody(std::string(input));
  return 0;
}
