// JSON-RPC 2.0 envelope: classifying incoming messages and building outgoing ones.
//
// Spec: https://www.jsonrpc.org/specification (requests, notifications, responses, batches).
#pragma once

#include <nlohmann/json.hpp>

#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "sysimage/protocol/error_codes.h"

namespace sysimage::protocol {

using json = nlohmann::json;

/// Deepest nesting accepted in an incoming message; deeper input is a parse error (protects the stack).
inline constexpr int kMaxJsonDepth = 256;

/// A request id as sent by the peer: an integer, a string, or (for some errors) null. Kept as JSON
/// so that it is echoed back exactly, whatever its size.
using RequestId = json;

/// An error object (`error` member of a response).
struct ResponseError {
  ErrorCode code = ErrorCode::InternalError;
  std::string message;
  std::optional<json> data;
};

/// A request: has `method` and `id`.
struct Request {
  RequestId id;
  std::string method;
  json params;  ///< null when absent
};

/// A notification: has `method`, no `id`.
struct Notification {
  std::string method;
  json params;  ///< null when absent
};

/// A response to a request this side sent.
struct Response {
  RequestId id;
  std::optional<json> result;  ///< set on success
  std::optional<ResponseError> error;
};

/// A message that is not valid JSON-RPC. `id` is the request's id when one could be read
/// (so the error response can carry it), else null.
struct InvalidMessage {
  RequestId id;
  ResponseError error;
};

using Message = std::variant<Request, Notification, Response, InvalidMessage>;

/// Result of parsing one frame body: a single message, or a batch (JSON array) of them.
struct ParsedBody {
  std::vector<Message> messages;
  bool batch = false;
};

/// Parses one frame body. Never throws: invalid JSON gives a single InvalidMessage with
/// ParseError (-32700, id null); an empty batch gives InvalidRequest (-32600); each batch element
/// is classified on its own. Deeper nesting than kMaxJsonDepth is a ParseError.
ParsedBody parseBody(std::string_view body);

/// Classifies one JSON value as a message (see the JSON-RPC 2.0 "Request object" rules):
/// `jsonrpc` must be "2.0"; `method` a string; `id` a string, number or null; `params`, when
/// present, an object or array.
Message classify(json value);

/// Serialises JSON for the wire; invalid UTF-8 in strings is replaced, never thrown.
std::string dump(const json& value);

json makeResult(const RequestId& id, json result);
json makeError(const RequestId& id, const ResponseError& error);
json makeRequest(const RequestId& id, std::string_view method, json params);
json makeNotification(std::string_view method, json params);

}  // namespace sysimage::protocol
