// Table test of malformed input (after json-rpc-cxx): for each row, the bytes on the wire, the exact
// frame events the FrameParser reports (including finish() at end of stream), and the exact
// classification of every frame body by parseBody (variant type, error code, id).
#include <gtest/gtest.h>

#include <optional>
#include <string>
#include <vector>

#include "sysimage/protocol/framing.h"
#include "sysimage/protocol/jsonrpc.h"

namespace sysimage::protocol {
namespace {

using Kind = FrameError::Kind;

/// One expected frame event: a frame with this body, or an error of this kind (and, when given,
/// this many skipped bytes).
struct Ev {
  std::optional<std::string> body;
  Kind kind = Kind::TruncatedFrame;
  std::optional<std::size_t> skipped;
};
Ev frame(std::string body) { return Ev{std::move(body), {}, {}}; }
Ev err(Kind kind, std::optional<std::size_t> skipped = std::nullopt) { return Ev{std::nullopt, kind, skipped}; }

/// One expected message: its variant type, and for InvalidMessage the error code. `id` is the
/// dumped id (for Request, Response and InvalidMessage).
struct Msg {
  enum Type { Request, Notification, Response, Invalid } type;
  ErrorCode code = ErrorCode::InternalError;
  std::string id = "null";
};
Msg request(std::string id) { return Msg{Msg::Request, ErrorCode::InternalError, std::move(id)}; }
Msg notification() { return Msg{Msg::Notification}; }
Msg response(std::string id) { return Msg{Msg::Response, ErrorCode::InternalError, std::move(id)}; }
Msg invalid(ErrorCode code, std::string id = "null") { return Msg{Msg::Invalid, code, std::move(id)}; }

struct Row {
  std::string name;
  std::string input;
  std::vector<Ev> events;
  std::vector<Msg> messages;  ///< of all frames, in order (batch elements flattened)
  bool batch = false;         ///< the (last) frame is a batch
  FramingLimits limits = {};
  std::size_t split = 0;      ///< >0: feed input[0, split) first, then the rest
};
void PrintTo(const Row& row, std::ostream* os) { *os << row.name; }

// A valid request used to check that the parser resynchronised after an error.
const std::string kPing = R"({"jsonrpc":"2.0","id":7,"method":"sysimage/ping"})";
const std::string kNote = R"({"jsonrpc":"2.0","method":"initialized"})";

std::string framed(const std::string& body) { return frameMessage(body); }
std::string hdr(std::size_t n) { return "Content-Length: " + std::to_string(n) + "\r\n\r\n"; }
std::string nested(int depth) {
  // A request whose params hold `depth - 1` more levels: total nesting is `depth`.
  return R"({"jsonrpc":"2.0","id":1,"method":"m","params":)" + std::string(depth - 1, '[') +
         std::string(depth - 1, ']') + "}";
}
std::string withNul(std::string_view before, std::string_view after) {
  std::string s(before);
  s.push_back('\0');
  s.append(after);
  return s;
}

std::vector<Row> rows() {
  std::vector<Row> r;
  // --- well-formed references
  r.push_back({"valid_frame", framed(kPing), {frame(kPing)}, {request("7")}});
  r.push_back({"two_frames_back_to_back", framed(kNote) + framed(kPing), {frame(kNote), frame(kPing)},
               {notification(), request("7")}});
  r.push_back({"lowercase_header_name_accepted", "content-length: " + std::to_string(kPing.size()) + "\r\n\r\n" + kPing, {frame(kPing)}, {request("7")}});
  r.push_back({"uppercase_no_space_accepted", "CONTENT-LENGTH:" + std::to_string(kPing.size()) + "\r\n\r\n" + kPing, {frame(kPing)}, {request("7")}});
  r.push_back({"value_whitespace_trimmed", "Content-Length: \t " + std::to_string(kPing.size()) + " \t\r\n\r\n" + kPing, {frame(kPing)}, {request("7")}});
  r.push_back({"content_type_accepted",
               "Content-Length: " + std::to_string(kPing.size()) + "\r\nContent-Type: application/vscode-jsonrpc; charset=utf-8\r\n\r\n" + kPing,
               {frame(kPing)}, {request("7")}});
  r.push_back({"unknown_header_accepted", "X-Foo: bar\r\nContent-Length: " + std::to_string(kPing.size()) + "\r\nX-Bar:\r\n\r\n" + kPing, {frame(kPing)},
               {request("7")}});
  r.push_back({"zero_length_body", hdr(0) + framed(kPing), {frame(""), frame(kPing)},
               {invalid(ErrorCode::ParseError), request("7")}});

  // --- truncated streams (finish() reports the cut)
  r.push_back({"truncated_body", hdr(10) + "abc", {err(Kind::TruncatedFrame, 3)}, {}});
  r.push_back({"truncated_header_line", "Content-Length: 1", {err(Kind::TruncatedFrame, 17)}, {}});
  r.push_back({"truncated_before_blank_line", "Content-Length: 10\r\n", {err(Kind::TruncatedFrame, 20)}, {}});
  r.push_back({"truncated_after_complete_frame", framed(kPing) + "Content-Len",
               {frame(kPing), err(Kind::TruncatedFrame, 11)}, {request("7")}});
  r.push_back({"truncated_inside_oversized_body", hdr(100) + "abc",
               {err(Kind::BodyTooLarge, hdr(100).size() + 100), err(Kind::TruncatedFrame, 0)}, {},
               false, FramingLimits{64, 8 * 1024}});
  r.push_back({"garbage_only", "junk", {err(Kind::TruncatedFrame, 4)}, {}});

  // --- bad headers (each followed by a valid frame: the parser must resynchronise)
  {
    const std::string block = "Content-Type: application/vscode-jsonrpc; charset=utf-8\r\n\r\n";
    r.push_back({"missing_content_length", block + framed(kPing),
                 {err(Kind::MissingContentLength, block.size()), frame(kPing)}, {request("7")}});
  }
  for (const auto& [name, value] : std::vector<std::pair<std::string, std::string>>{
           {"non_numeric", "abc"},
           {"negative", "-5"},
           {"plus_sign", "+5"},
           {"trailing_junk", "5x"},
           {"empty_value", ""},
           {"hex", "0x10"},
           {"overflow", "99999999999999999999999"}}) {
    const std::string block = "Content-Length: " + value + "\r\n\r\n";
    r.push_back({"content_length_" + name, block + framed(kPing),
                 {err(Kind::InvalidContentLength, block.size()), frame(kPing)}, {request("7")}});
  }
  {
    const std::string block = "Content-Length: 2\r\nContent-Length: 2\r\n\r\n";
    r.push_back({"duplicate_content_length", block + "{}" + framed(kPing),
                 {err(Kind::DuplicateHeader, block.size() + 2), frame(kPing)}, {request("7")}});
  }
  {
    // Different values: the first one says how much body to skip.
    const std::string block = "Content-Length: 2\r\nContent-Length: 900\r\n\r\n";
    r.push_back({"duplicate_content_length_different_values", block + "{}" + framed(kPing),
                 {err(Kind::DuplicateHeader, block.size() + 2), frame(kPing)}, {request("7")}});
  }
  {
    const std::string block = "Content-Length: 2\r\nContent-Type: a\r\ncontent-type: a\r\n\r\n";
    r.push_back({"duplicate_content_type", block + "{}" + framed(kPing),
                 {err(Kind::DuplicateHeader, block.size() + 2), frame(kPing)}, {request("7")}});
  }
  {
    // The duplicate comes before Content-Length: the body is still skipped by its declared length.
    const std::string block = "Content-Type: a\r\nContent-Type: a\r\nContent-Length: 2\r\n\r\n";
    r.push_back({"duplicate_content_type_before_length", block + "{}" + framed(kPing),
                 {err(Kind::DuplicateHeader, block.size() + 2), frame(kPing)}, {request("7")}});
  }
  {
    // The first line is not a header at all: everything up to the next Content-Length is dropped
    // (the body's length is unknown).
    const std::string block = "Content-Length 2\r\n\r\n";
    r.push_back({"header_line_without_colon", block + "{}" + framed(kPing),
                 {err(Kind::GarbageBeforeHeader, block.size() + 2), frame(kPing)}, {request("7")}});
    r.push_back({"header_line_without_colon_at_end_of_stream", block + "{}",
                 {err(Kind::InvalidHeaderLine, block.size()), err(Kind::TruncatedFrame, 2)}, {}});
  }
  {
    // A later bad line in a block that declares its length: the body is skipped by that length.
    const std::string block = "Content-Length: 2\r\nbogus line\r\n\r\n";
    r.push_back({"later_header_line_without_colon", block + "{}" + framed(kPing),
                 {err(Kind::InvalidHeaderLine, block.size() + 2), frame(kPing)}, {request("7")}});
  }
  {
    const std::string block = "Content-Length: 2\r\nBad Name: x\r\n\r\n";
    r.push_back({"header_name_with_space", block + "{}" + framed(kPing),
                 {err(Kind::InvalidHeaderLine, block.size() + 2), frame(kPing)}, {request("7")}});
  }
  r.push_back({"blank_line_only", "\r\n\r\n" + framed(kPing), {err(Kind::GarbageBeforeHeader, 4), frame(kPing)},
               {request("7")}});
  r.push_back({"garbage_before_header", "hello " + framed(kPing), {err(Kind::GarbageBeforeHeader, 6), frame(kPing)},
               {request("7")}});
  r.push_back({"body_left_over_before_header", "{\"a\":1}\r\n" + framed(kPing),
               {err(Kind::GarbageBeforeHeader, 9), frame(kPing)}, {request("7")}});
  {
    // No blank line within maxHeaderBytes (64 here) of what has arrived: all of it is dropped. The
    // rest of that header and its body are then garbage up to the next Content-Length.
    const std::string longHeader = "Content-Length: 2\r\nX-Pad: " + std::string(100, 'a');
    r.push_back({"header_too_long", longHeader + "\r\n\r\n{}" + framed(kPing),
                 {err(Kind::HeaderTooLong, longHeader.size()), err(Kind::GarbageBeforeHeader, 6), frame(kPing)},
                 {request("7")}, false, FramingLimits{64u << 20, 64}, longHeader.size()});
  }
  {
    const std::string big(100, 'x');
    r.push_back({"body_too_large_skipped", hdr(big.size()) + big + framed(kNote),
                 {err(Kind::BodyTooLarge, hdr(big.size()).size() + big.size()), frame(kNote)}, {notification()},
                 false, FramingLimits{64, 8 * 1024}});
  }
  {
    // Exactly at the limit is accepted.
    r.push_back({"body_at_limit_accepted", framed(kPing), {frame(kPing)}, {request("7")}, false,
                 FramingLimits{kPing.size(), 8 * 1024}});
  }

  // --- bodies that are not JSON
  for (const auto& [name, body] : std::vector<std::pair<std::string, std::string>>{
           {"invalid_json", "{bad json"},
           {"truncated_json", R"({"jsonrpc":"2.0","id":1,"method":"m")"},
           {"trailing_garbage", kPing + "x"},
           {"two_values", kPing + kPing},
           {"whitespace_only", "  \r\n "},
           {"invalid_utf8_in_string", "{\"jsonrpc\":\"2.0\",\"id\":5,\"method\":\"x\xff\xfe\"}"},
           {"invalid_utf8_outside_string", "{\"jsonrpc\":\"2.0\",\xc3\"id\":5}"},
           {"overlong_utf8", "{\"jsonrpc\":\"2.0\",\"id\":5,\"method\":\"\xc0\xaf\"}"},
           {"utf8_surrogate", "{\"jsonrpc\":\"2.0\",\"id\":5,\"method\":\"\xed\xa0\x80\"}"},
           {"truncated_utf8", "{\"jsonrpc\":\"2.0\",\"id\":5,\"method\":\"\xe2\x82\"}"},
           {"nul_inside_string", withNul(R"({"jsonrpc":"2.0","id":5,"method":"a)", R"("})")},
           {"nul_after_value", withNul(kPing, "garbage")},
           {"nul_after_value_only", withNul(kPing, "")},
           {"nul_only", std::string(1, '\0')},
           {"nul_between_tokens", withNul(R"({"jsonrpc":"2.0",)", R"("id":5,"method":"m"})")},
           {"number_overflow_id_1e400", R"({"jsonrpc":"2.0","id":1e400,"method":"m"})"},
           {"number_overflow_in_params", R"({"jsonrpc":"2.0","id":1,"method":"m","params":{"x":-1e999}})"},
           {"nested_300_levels", nested(300)},
           {"nested_257_levels", nested(257)},
           {"single_quotes", "{'jsonrpc':'2.0'}"},
           {"comment", "/* c */" + kPing},
       }) {
    r.push_back({name, framed(body), {frame(body)}, {invalid(ErrorCode::ParseError)}});
  }
  r.push_back({"nested_256_levels_accepted", framed(nested(256)), {frame(nested(256))}, {request("1")}});
  r.push_back({"nested_200_levels_accepted", framed(nested(200)), {frame(nested(200))}, {request("1")}});
  r.push_back({"utf8_bom_accepted", framed("\xef\xbb\xbf" + kNote), {frame("\xef\xbb\xbf" + kNote)}, {notification()}});
  r.push_back({"escaped_nul_in_string_accepted", framed(R"({"jsonrpc":"2.0","method":"a\u0000b"})"),
               {frame(R"({"jsonrpc":"2.0","method":"a\u0000b"})")}, {notification()}});

  // --- JSON that is not JSON-RPC (body rows: one frame each)
  auto body = [&r](std::string name, std::string text, std::vector<Msg> messages, bool batch = false) {
    r.push_back({std::move(name), framed(text), {frame(text)}, std::move(messages), batch});
  };
  body("wrong_jsonrpc_version", R"({"jsonrpc":"1.0","id":2,"method":"m"})", {invalid(ErrorCode::InvalidRequest, "2")});
  body("jsonrpc_as_number", R"({"jsonrpc":2.0,"id":2,"method":"m"})", {invalid(ErrorCode::InvalidRequest, "2")});
  body("missing_jsonrpc", R"({"id":3,"method":"m"})", {invalid(ErrorCode::InvalidRequest, "3")});
  body("missing_jsonrpc_notification", R"({"method":"m"})", {invalid(ErrorCode::InvalidRequest)});
  body("params_number", R"({"jsonrpc":"2.0","id":5,"method":"m","params":7})", {invalid(ErrorCode::InvalidRequest, "5")});
  body("params_string", R"({"jsonrpc":"2.0","id":5,"method":"m","params":"x"})",
       {invalid(ErrorCode::InvalidRequest, "5")});
  body("params_bool", R"({"jsonrpc":"2.0","id":5,"method":"m","params":true})", {invalid(ErrorCode::InvalidRequest, "5")});
  body("params_number_notification", R"({"jsonrpc":"2.0","method":"m","params":7})", {invalid(ErrorCode::InvalidRequest)});
  // JSON-RPC 2.0 and LSP: params is an object or an array, or absent; null is neither.
  body("params_null", R"({"jsonrpc":"2.0","id":5,"method":"m","params":null})", {invalid(ErrorCode::InvalidRequest, "5")});
  body("params_array_allowed", R"({"jsonrpc":"2.0","id":5,"method":"m","params":[1,2]})", {request("5")});
  body("params_object_allowed", R"({"jsonrpc":"2.0","id":5,"method":"m","params":{}})", {request("5")});
  body("method_number", R"({"jsonrpc":"2.0","id":4,"method":42})", {invalid(ErrorCode::InvalidRequest, "4")});
  body("method_null", R"({"jsonrpc":"2.0","id":4,"method":null})", {invalid(ErrorCode::InvalidRequest, "4")});
  body("method_object_notification", R"({"jsonrpc":"2.0","method":{}})", {invalid(ErrorCode::InvalidRequest)});
  body("id_object", R"({"jsonrpc":"2.0","id":{"a":1},"method":"m"})", {invalid(ErrorCode::InvalidRequest)});
  body("id_bool", R"({"jsonrpc":"2.0","id":true,"method":"m"})", {invalid(ErrorCode::InvalidRequest)});
  body("id_array", R"({"jsonrpc":"2.0","id":[1],"method":"m"})", {invalid(ErrorCode::InvalidRequest)});
  body("id_string", R"({"jsonrpc":"2.0","id":"abc","method":"m"})", {request("\"abc\"")});
  body("id_null_request", R"({"jsonrpc":"2.0","id":null,"method":"m"})", {request("null")});
  body("id_fraction_echoed", R"({"jsonrpc":"2.0","id":1.5,"method":"m"})", {request("1.5")});
  body("id_negative", R"({"jsonrpc":"2.0","id":-3,"method":"m"})", {request("-3")});
  body("id_uint64_max_exact", R"({"jsonrpc":"2.0","id":18446744073709551615,"method":"m"})",
       {request("18446744073709551615")});
  // Beyond 64 bits nlohmann keeps the nearest double: echoed as the number a JavaScript client
  // holds for that literal anyway (JSON.parse gives the same double), never as null.
  body("id_huge_integer", R"({"jsonrpc":"2.0","id":123456789012345678901234567890,"method":"m"})",
       {request("1.2345678901234568e+29")});
  body("id_below_int64_min", R"({"jsonrpc":"2.0","id":-9223372036854775809,"method":"m"})",
       {request("-9.223372036854776e+18")});
  body("not_an_object_string", R"("just a string")", {invalid(ErrorCode::InvalidRequest)});
  body("not_an_object_number", "42", {invalid(ErrorCode::InvalidRequest)});
  body("not_an_object_null", "null", {invalid(ErrorCode::InvalidRequest)});
  body("empty_object", "{}", {invalid(ErrorCode::InvalidRequest)});
  body("id_only", R"({"jsonrpc":"2.0","id":6})", {invalid(ErrorCode::InvalidRequest, "6")});
  // Responses: classified as Response whatever the id (the endpoint drops unknown ids).
  body("response_unknown_id", R"({"jsonrpc":"2.0","id":"sysimage-999","result":{}})", {response("\"sysimage-999\"")});
  body("response_result_null", R"({"jsonrpc":"2.0","id":12,"result":null})", {response("12")});
  body("response_error", R"({"jsonrpc":"2.0","id":12345,"error":{"code":-32603,"message":"x"}})", {response("12345")});
  body("response_result_and_error", R"({"jsonrpc":"2.0","id":1,"result":1,"error":{"code":1,"message":"x"}})",
       {invalid(ErrorCode::InvalidRequest, "1")});
  body("response_without_id", R"({"jsonrpc":"2.0","result":1})", {invalid(ErrorCode::InvalidRequest)});
  body("response_error_not_object", R"({"jsonrpc":"2.0","id":1,"error":"bad"})", {invalid(ErrorCode::InvalidRequest, "1")});
  body("response_error_code_not_integer", R"({"jsonrpc":"2.0","id":1,"error":{"code":"x","message":"m"}})",
       {invalid(ErrorCode::InvalidRequest, "1")});
  body("response_error_code_fraction", R"({"jsonrpc":"2.0","id":1,"error":{"code":1.5,"message":"m"}})",
       {invalid(ErrorCode::InvalidRequest, "1")});
  // Batches.
  body("empty_batch", "[]", {invalid(ErrorCode::InvalidRequest)}, false);
  body("batch_of_non_objects", "[1,2]", {invalid(ErrorCode::InvalidRequest), invalid(ErrorCode::InvalidRequest)}, true);
  body("batch_of_nested_empty_batch", "[[]]", {invalid(ErrorCode::InvalidRequest)}, true);
  body("batch_mixed", "[" + kPing + "," + kNote + R"(,{"foo":"bar"},{"jsonrpc":"2.0","id":"r","result":0}])",
       {request("7"), notification(), invalid(ErrorCode::InvalidRequest), response("\"r\"")}, true);
  return r;
}

std::vector<FrameEvent> parseAll(const Row& row, std::size_t chunk) {
  FrameParser parser(row.limits);
  std::vector<FrameEvent> out;
  std::string_view input(row.input);
  if (row.split > 0) {
    parser.feed(input.substr(0, row.split), out);
    input.remove_prefix(row.split);
  }
  while (!input.empty()) {
    const std::size_t n = chunk == 0 ? input.size() : std::min(chunk, input.size());
    parser.feed(input.substr(0, n), out);
    input.remove_prefix(n);
  }
  if (auto truncated = parser.finish()) out.emplace_back(*truncated);
  return out;
}

const char* kindName(Kind k) {
  switch (k) {
    case Kind::MissingContentLength: return "MissingContentLength";
    case Kind::InvalidContentLength: return "InvalidContentLength";
    case Kind::DuplicateHeader: return "DuplicateHeader";
    case Kind::InvalidHeaderLine: return "InvalidHeaderLine";
    case Kind::HeaderTooLong: return "HeaderTooLong";
    case Kind::BodyTooLarge: return "BodyTooLarge";
    case Kind::GarbageBeforeHeader: return "GarbageBeforeHeader";
    case Kind::TruncatedFrame: return "TruncatedFrame";
  }
  return "?";
}

std::string describe(const std::vector<FrameEvent>& events) {
  std::string s;
  for (const auto& e : events) {
    if (auto* f = std::get_if<Frame>(&e)) {
      s += "  frame(" + f->body.substr(0, 60) + ")\n";
    } else {
      const auto& fe = std::get<FrameError>(e);
      s += std::string("  ") + kindName(fe.kind) + "(skipped " + std::to_string(fe.skippedBytes) + "): " + fe.message + "\n";
    }
  }
  return s;
}

void expectEvents(const Row& row, const std::vector<FrameEvent>& actual) {
  ASSERT_EQ(actual.size(), row.events.size()) << "actual events:\n" << describe(actual);
  for (std::size_t i = 0; i < actual.size(); ++i) {
    const Ev& want = row.events[i];
    if (want.body) {
      const auto* f = std::get_if<Frame>(&actual[i]);
      ASSERT_NE(f, nullptr) << "event " << i << ", actual events:\n" << describe(actual);
      EXPECT_EQ(f->body, *want.body) << "event " << i;
    } else {
      const auto* e = std::get_if<FrameError>(&actual[i]);
      ASSERT_NE(e, nullptr) << "event " << i << ", actual events:\n" << describe(actual);
      EXPECT_EQ(kindName(e->kind), std::string(kindName(want.kind))) << "event " << i << ": " << e->message;
      if (want.skipped) {
        EXPECT_EQ(e->skippedBytes, *want.skipped) << "event " << i << ": " << e->message;
      }
      EXPECT_FALSE(e->message.empty());
    }
  }
}

class MalformedInput : public ::testing::TestWithParam<Row> {};

TEST_P(MalformedInput, FrameEventsAndClassification) {
  const Row& row = GetParam();
  const auto events = parseAll(row, 0);
  expectEvents(row, events);

  std::vector<Message> messages;
  bool lastBatch = false;
  for (const auto& e : events) {
    if (const auto* f = std::get_if<Frame>(&e)) {
      ParsedBody parsed = parseBody(f->body);
      lastBatch = parsed.batch;
      for (auto& m : parsed.messages) messages.push_back(std::move(m));
    }
  }
  EXPECT_EQ(lastBatch, row.batch);
  ASSERT_EQ(messages.size(), row.messages.size());
  for (std::size_t i = 0; i < messages.size(); ++i) {
    const Msg& want = row.messages[i];
    SCOPED_TRACE("message " + std::to_string(i));
    switch (want.type) {
      case Msg::Request: {
        const auto* m = std::get_if<Request>(&messages[i]);
        ASSERT_NE(m, nullptr) << "expected a Request, got variant index " << messages[i].index();
        EXPECT_EQ(dump(m->id), want.id);
        // The id goes back unchanged in the reply.
        EXPECT_EQ(dump(makeResult(m->id, nullptr)["id"]), want.id);
        break;
      }
      case Msg::Notification:
        ASSERT_NE(std::get_if<Notification>(&messages[i]), nullptr) << "variant index " << messages[i].index();
        break;
      case Msg::Response: {
        const auto* m = std::get_if<Response>(&messages[i]);
        ASSERT_NE(m, nullptr) << "expected a Response, got variant index " << messages[i].index();
        EXPECT_EQ(dump(m->id), want.id);
        EXPECT_NE(m->result.has_value(), m->error.has_value());
        break;
      }
      case Msg::Invalid: {
        const auto* m = std::get_if<InvalidMessage>(&messages[i]);
        ASSERT_NE(m, nullptr) << "expected an InvalidMessage, got variant index " << messages[i].index();
        EXPECT_EQ(static_cast<int>(m->error.code), static_cast<int>(want.code)) << m->error.message;
        EXPECT_EQ(dump(m->id), want.id);
        EXPECT_FALSE(m->error.message.empty());
        // The error reply is always serialisable (invalid UTF-8 in messages is replaced).
        EXPECT_FALSE(dump(makeError(m->id, m->error)).empty());
        break;
      }
    }
  }
}

// Fed one byte at a time: the same frames, and an error wherever the whole feed had one (how much
// garbage one error covers may depend on how much had arrived when it was found).
TEST_P(MalformedInput, SameFramesWhenFedByteByByte) {
  const Row& row = GetParam();
  if (row.split > 0) GTEST_SKIP() << "row depends on how the input is chunked";
  const auto bytewise = parseAll(row, 1);
  std::vector<std::string> frames;
  bool sawError = false;
  for (const auto& e : bytewise) {
    if (const auto* f = std::get_if<Frame>(&e)) {
      frames.push_back(f->body);
    } else {
      sawError = true;
    }
  }
  std::vector<std::string> wantFrames;
  bool wantError = false;
  for (const auto& e : row.events) {
    if (e.body) {
      wantFrames.push_back(*e.body);
    } else {
      wantError = true;
    }
  }
  EXPECT_EQ(frames, wantFrames) << describe(bytewise);
  EXPECT_EQ(sawError, wantError) << describe(bytewise);
}

INSTANTIATE_TEST_SUITE_P(Table, MalformedInput, ::testing::ValuesIn(rows()),
                         [](const ::testing::TestParamInfo<Row>& info) { return info.param.name; });

}  // namespace
}  // namespace sysimage::protocol
