// Names of the JSON-RPC and LSP error codes, for logs.
#include "sysimage/protocol/error_codes.h"

namespace sysimage::protocol {

std::string_view errorCodeName(ErrorCode code) {
  switch (code) {
    case ErrorCode::ParseError: return "ParseError";
    case ErrorCode::InvalidRequest: return "InvalidRequest";
    case ErrorCode::MethodNotFound: return "MethodNotFound";
    case ErrorCode::InvalidParams: return "InvalidParams";
    case ErrorCode::InternalError: return "InternalError";
    case ErrorCode::ServerNotInitialized: return "ServerNotInitialized";
    case ErrorCode::AccessDenied: return "AccessDenied";
    case ErrorCode::UnknownErrorCode: return "UnknownErrorCode";
    case ErrorCode::RequestFailed: return "RequestFailed";
    case ErrorCode::ServerCancelled: return "ServerCancelled";
    case ErrorCode::ContentModified: return "ContentModified";
    case ErrorCode::RequestCancelled: return "RequestCancelled";
  }
  return "Unknown";
}

}  // namespace sysimage::protocol
