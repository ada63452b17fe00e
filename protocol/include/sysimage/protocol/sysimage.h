// The custom `sysimage/…` methods, notifications and commands: one declaration each.
// Described in docs/protocol.md; mirrored in vscode-extension/src/protocol.ts and
// neovim/lua/sysimage/protocol.lua.
#pragma once

#include <nlohmann/json.hpp>

#include <string>

namespace sysimage::protocol::sysimage {

// Requests.
inline constexpr const char* kServerInfo = "sysimage/serverInfo";
inline constexpr const char* kPing = "sysimage/ping";

/// `sysimage/serverInfo` result: what this server is (for health checks of clients).
struct ServerInfoResult {
  std::string version;      ///< sysimage-server version, e.g. "0.1.0"
  int protocolVersion = 1;  ///< version of the sysimage/… protocol
  int pid = 0;              ///< server process id
};
void to_json(nlohmann::json& j, const ServerInfoResult& r);

/// `sysimage/ping` params: a diagnostic request answered `{}` after `delayMs` milliseconds
/// (0–60000, default 0); cancellable. Used by health checks, latency benchmarks and tests.
struct PingParams {
  int delayMs = 0;
};
void from_json(const nlohmann::json& j, PingParams& p);

}  // namespace sysimage::protocol::sysimage
