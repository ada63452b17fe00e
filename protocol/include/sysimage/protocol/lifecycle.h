// Lifecycle messages: initialize, initialized, shutdown, exit, $/setTrace, $/cancelRequest.
//
// Spec: https://microsoft.github.io/language-server-protocol/specifications/lsp/3.17/specification/#lifeCycleMessages
#pragma once

#include <nlohmann/json.hpp>

#include <optional>
#include <string>
#include <vector>

#include "sysimage/protocol/workspace.h"

namespace sysimage::protocol {

/// The parts of `ClientCapabilities` the server acts on. The full object is kept in `raw`.
struct ClientCapabilities {
  bool workDoneProgress = false;    ///< window.workDoneProgress
  bool showMessageRequest = false;  ///< window.showMessage present (showMessageRequest support)
  bool workspaceFolders = false;    ///< workspace.workspaceFolders
  bool configuration = false;       ///< workspace.configuration
  nlohmann::json raw = nlohmann::json::object();
};
void from_json(const nlohmann::json& j, ClientCapabilities& c);

struct ClientInfo {
  std::string name;
  std::optional<std::string> version;
};
void from_json(const nlohmann::json& j, ClientInfo& c);

/// `initialize` params. `processId` null means "no parent to watch".
struct InitializeParams {
  std::optional<int> processId;
  std::optional<ClientInfo> clientInfo;
  std::optional<std::string> rootUri;
  std::optional<std::string> rootPath;
  std::optional<std::vector<WorkspaceFolder>> workspaceFolders;
  nlohmann::json initializationOptions;  ///< null when absent; read by the server (see docs/protocol.md)
  ClientCapabilities capabilities;
  std::string trace = "off";  ///< "off" | "messages" | "verbose"
};
void from_json(const nlohmann::json& j, InitializeParams& p);

struct ServerInfo {
  std::string name;
  std::string version;
};
void to_json(nlohmann::json& j, const ServerInfo& s);

/// `initialize` result: `capabilities` is built by the server, `serverInfo` names it.
struct InitializeResult {
  nlohmann::json capabilities;
  ServerInfo serverInfo;
};
void to_json(nlohmann::json& j, const InitializeResult& r);

/// `$/setTrace` params.
struct SetTraceParams {
  std::string value;  ///< "off" | "messages" | "verbose"
};
void from_json(const nlohmann::json& j, SetTraceParams& p);

/// `$/cancelRequest` params: the id of the request to cancel (integer or string).
struct CancelParams {
  nlohmann::json id;
};
void from_json(const nlohmann::json& j, CancelParams& p);

}  // namespace sysimage::protocol
