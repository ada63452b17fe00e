// The service's plain snapshots as the protocol's typed messages (protocol/.../sysimage.h): the one
// translation used by the sysimage/… methods and by the terminal commands' `--json` output.
#pragma once

#include "server/service/status.h"
#include "sysimage/protocol/jsonrpc.h"
#include "sysimage/protocol/sysimage.h"

namespace sysimage::lsp {

/// `sysimage/status` result and `sysimage/statusChanged` params.
protocol::sysimage::Status toProtocol(const service::ProjectStatus& status);
/// `sysimage/measure` result (also `ImageInfo.ttfx` and `BuildResult.measurement`).
protocol::sysimage::Measurement toProtocol(const service::Measurement& measurement);
/// `sysimage/build` result.
protocol::sysimage::BuildResult toProtocol(const service::BuildResult& result);
/// `sysimage/replCommand` result.
protocol::sysimage::ReplCommandResult toProtocol(const service::ReplCommand& command);
/// `sysimage/buildLog` result.
protocol::sysimage::BuildLogResult toProtocol(const service::BuildLog& log);

/// A service error as a JSON-RPC error: "cancelled" → -32800 RequestCancelled; anything else →
/// -32803 RequestFailed with the service's message and `data` a RequestFailedData
/// (`reason` = the service's error code, plus buildId and logTail for builds).
protocol::ResponseError toResponseError(const service::ServiceError& error);

}  // namespace sysimage::lsp
