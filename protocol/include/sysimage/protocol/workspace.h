// Workspace messages: folders, configuration changes, executeCommand.
//
// Spec: https://microsoft.github.io/language-server-protocol/specifications/lsp/3.17/specification/#workspace_workspaceFolders
#pragma once

#include <nlohmann/json.hpp>

#include <optional>
#include <string>
#include <vector>

namespace sysimage::protocol {

/// A workspace folder: a `file://` URI and a display name.
struct WorkspaceFolder {
  std::string uri;
  std::string name;
};
void from_json(const nlohmann::json& j, WorkspaceFolder& f);
void to_json(nlohmann::json& j, const WorkspaceFolder& f);

/// `workspace/didChangeWorkspaceFolders` params.
struct DidChangeWorkspaceFoldersParams {
  std::vector<WorkspaceFolder> added;
  std::vector<WorkspaceFolder> removed;
};
void from_json(const nlohmann::json& j, DidChangeWorkspaceFoldersParams& p);

/// `workspace/didChangeConfiguration` params: `settings` as the client sends them (any JSON).
struct DidChangeConfigurationParams {
  nlohmann::json settings;
};
void from_json(const nlohmann::json& j, DidChangeConfigurationParams& p);

/// `workspace/executeCommand` params.
struct ExecuteCommandParams {
  std::string command;
  nlohmann::json arguments = nlohmann::json::array();  ///< always an array
  std::optional<nlohmann::json> workDoneToken;
};
void from_json(const nlohmann::json& j, ExecuteCommandParams& p);

}  // namespace sysimage::protocol
