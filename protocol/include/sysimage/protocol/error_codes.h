// The one enum of JSON-RPC 2.0 and LSP error codes used on the wire.
//
// JSON-RPC 2.0: https://www.jsonrpc.org/specification#error_object
// LSP 3.17: https://microsoft.github.io/language-server-protocol/specifications/lsp/3.17/specification/#responseMessage
#pragma once

#include <string_view>

namespace sysimage::protocol {

/// Error codes sent in `error.code` of a response.
enum class ErrorCode : int {
  ParseError = -32700,            ///< invalid JSON (the response id is null)
  InvalidRequest = -32600,        ///< not a valid request object, or a request after `shutdown`
  MethodNotFound = -32601,
  InvalidParams = -32602,         ///< the message names the JSON path that is wrong
  InternalError = -32603,         ///< a handler threw, or forgot to reply
  ServerNotInitialized = -32002,  ///< a request before `initialize`
  AccessDenied = -32000,          ///< JSON-RPC's implementation-defined range: `initialize` over TCP without the access token
  UnknownErrorCode = -32001,
  RequestFailed = -32803,         ///< LSP 3.17: the request was valid but failed (e.g. a build failed)
  ServerCancelled = -32802,       ///< LSP 3.17: the server cancelled the request
  ContentModified = -32801,
  RequestCancelled = -32800,      ///< the client cancelled the request (`$/cancelRequest` or progress cancel)
};

/// A short stable name for logs ("ParseError", …).
std::string_view errorCodeName(ErrorCode code);

}  // namespace sysimage::protocol
