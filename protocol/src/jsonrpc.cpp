// JSON-RPC 2.0 envelope: parsing and classifying frame bodies, building replies.
#include "sysimage/protocol/jsonrpc.h"

namespace sysimage::protocol {
namespace {

struct DepthExceeded {};

bool validId(const json& id) {
  return id.is_string() || id.is_number() || id.is_null();
}

InvalidMessage invalid(json id, ErrorCode code, std::string message) {
  return InvalidMessage{std::move(id), ResponseError{code, std::move(message), std::nullopt}};
}

}  // namespace

Message classify(json value) {
  if (!value.is_object()) {
    return invalid(nullptr, ErrorCode::InvalidRequest, "a JSON-RPC message must be an object");
  }
  json id = nullptr;
  const auto idIt = value.find("id");
  const bool hasId = idIt != value.end();
  if (hasId) {
    if (!validId(*idIt)) {
      return invalid(nullptr, ErrorCode::InvalidRequest, "\"id\" must be a string, a number or null");
    }
    id = *idIt;
  }
  const auto version = value.find("jsonrpc");
  if (version == value.end() || !version->is_string() || version->get_ref<const std::string&>() != "2.0") {
    return invalid(id, ErrorCode::InvalidRequest, "\"jsonrpc\" must be exactly \"2.0\"");
  }
  const auto method = value.find("method");
  if (method != value.end()) {
    if (!method->is_string()) {
      return invalid(id, ErrorCode::InvalidRequest, "\"method\" must be a string");
    }
    json params = nullptr;
    if (const auto p = value.find("params"); p != value.end()) {
      if (!p->is_object() && !p->is_array()) {
        return invalid(id, ErrorCode::InvalidRequest, "\"params\" must be an object or an array");
      }
      params = std::move(*p);
    }
    std::string name = method->get<std::string>();
    if (hasId) return Request{std::move(id), std::move(name), std::move(params)};
    return Notification{std::move(name), std::move(params)};
  }
  // No method: a response to one of our requests.
  const auto result = value.find("result");
  const auto error = value.find("error");
  if (!hasId || (result == value.end()) == (error == value.end())) {
    return invalid(id, ErrorCode::InvalidRequest,
                   "a message needs \"method\", or \"id\" with exactly one of \"result\" and \"error\"");
  }
  Response response{id, std::nullopt, std::nullopt};
  if (result != value.end()) {
    response.result = std::move(*result);
  } else {
    ResponseError e;
    if (!error->is_object() || !error->contains("code") || !(*error)["code"].is_number_integer()) {
      return invalid(id, ErrorCode::InvalidRequest, "\"error\" must be an object with an integer \"code\"");
    }
    e.code = static_cast<ErrorCode>((*error)["code"].get<long long>());
    if (auto m = error->find("message"); m != error->end() && m->is_string()) e.message = m->get<std::string>();
    if (auto d = error->find("data"); d != error->end()) e.data = *d;
    response.error = std::move(e);
  }
  return response;
}

ParsedBody parseBody(std::string_view body) {
  ParsedBody parsed;
  // nlohmann's lexer takes a NUL byte for the end of input and would ignore whatever follows it;
  // a raw NUL is never valid JSON (inside strings it must be escaped as \u0000).
  if (body.find('\0') != std::string_view::npos) {
    parsed.messages.push_back(invalid(nullptr, ErrorCode::ParseError, "invalid JSON: NUL byte in the message"));
    return parsed;
  }
  json value;
  try {
    value = json::parse(body.begin(), body.end(), [](int depth, json::parse_event_t event, json&) {
      // `depth` counts the containers around the one being opened (0 for the outermost).
      const bool opens = event == json::parse_event_t::object_start || event == json::parse_event_t::array_start;
      if (opens && depth >= kMaxJsonDepth) throw DepthExceeded{};
      return true;
    });
  } catch (const DepthExceeded&) {
    parsed.messages.push_back(invalid(nullptr, ErrorCode::ParseError,
                                      "JSON nested deeper than " + std::to_string(kMaxJsonDepth) + " levels"));
    return parsed;
  } catch (const json::exception& e) {
    parsed.messages.push_back(invalid(nullptr, ErrorCode::ParseError, std::string("invalid JSON: ") + e.what()));
    return parsed;
  }
  if (value.is_array()) {
    parsed.batch = true;
    if (value.empty()) {
      parsed.batch = false;  // the spec answers an empty batch with a single error, not an array
      parsed.messages.push_back(invalid(nullptr, ErrorCode::InvalidRequest, "empty batch"));
      return parsed;
    }
    parsed.messages.reserve(value.size());
    for (auto& element : value) parsed.messages.push_back(classify(std::move(element)));
    return parsed;
  }
  parsed.messages.push_back(classify(std::move(value)));
  return parsed;
}

std::string dump(const json& value) {
  return value.dump(-1, ' ', false, json::error_handler_t::replace);
}

json makeResult(const RequestId& id, json result) {
  return json{{"jsonrpc", "2.0"}, {"id", id}, {"result", std::move(result)}};
}

json makeError(const RequestId& id, const ResponseError& error) {
  json e{{"code", static_cast<int>(error.code)}, {"message", error.message}};
  if (error.data) e["data"] = *error.data;
  return json{{"jsonrpc", "2.0"}, {"id", id}, {"error", std::move(e)}};
}

json makeRequest(const RequestId& id, std::string_view method, json params) {
  json m{{"jsonrpc", "2.0"}, {"id", id}, {"method", method}};
  if (!params.is_null()) m["params"] = std::move(params);
  return m;
}

json makeNotification(std::string_view method, json params) {
  json m{{"jsonrpc", "2.0"}, {"method", method}};
  if (!params.is_null()) m["params"] = std::move(params);
  return m;
}

}  // namespace sysimage::protocol
