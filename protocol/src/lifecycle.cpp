// JSON conversions of the lifecycle and workspace messages.
#include "sysimage/protocol/lifecycle.h"

#include "sysimage/protocol/json_fields.h"
#include "sysimage/protocol/workspace.h"

namespace sysimage::protocol {
namespace {
bool hasPath(const nlohmann::json& j, std::initializer_list<const char*> keys) {
  const nlohmann::json* cur = &j;
  for (const char* k : keys) {
    if (!cur->is_object()) return false;
    auto it = cur->find(k);
    if (it == cur->end()) return false;
    cur = &*it;
  }
  return !cur->is_null() && !(cur->is_boolean() && !cur->get<bool>());
}
}  // namespace

void from_json(const nlohmann::json& j, ClientCapabilities& c) {
  requireObject(j);
  c.raw = j;
  c.workDoneProgress = hasPath(j, {"window", "workDoneProgress"});
  c.showMessageRequest = hasPath(j, {"window", "showMessage"});
  c.workspaceFolders = hasPath(j, {"workspace", "workspaceFolders"});
  c.configuration = hasPath(j, {"workspace", "configuration"});
}

void from_json(const nlohmann::json& j, ClientInfo& c) {
  readField(j, "name", c.name);
  readOptional(j, "version", c.version);
}

void from_json(const nlohmann::json& j, InitializeParams& p) {
  requireObject(j);
  readOptional(j, "processId", p.processId);
  readOptional(j, "clientInfo", p.clientInfo);
  readOptional(j, "rootUri", p.rootUri);
  readOptional(j, "rootPath", p.rootPath);
  readOptional(j, "workspaceFolders", p.workspaceFolders);
  if (auto it = j.find("initializationOptions"); it != j.end()) p.initializationOptions = *it;
  readOptional(j, "capabilities", p.capabilities);
  readOptional(j, "trace", p.trace);
}

void to_json(nlohmann::json& j, const ServerInfo& s) {
  j = nlohmann::json{{"name", s.name}, {"version", s.version}};
}

void to_json(nlohmann::json& j, const InitializeResult& r) {
  j = nlohmann::json{{"capabilities", r.capabilities}, {"serverInfo", r.serverInfo}};
}

void from_json(const nlohmann::json& j, SetTraceParams& p) {
  readField(j, "value", p.value);
  if (p.value != "off" && p.value != "messages" && p.value != "verbose") {
    throw FieldError("/value", "must be \"off\", \"messages\" or \"verbose\"");
  }
}

void from_json(const nlohmann::json& j, CancelParams& p) {
  readField(j, "id", p.id);
  if (!p.id.is_string() && !p.id.is_number_integer()) throw FieldError("/id", "must be an integer or a string");
}

void from_json(const nlohmann::json& j, WorkspaceFolder& f) {
  readField(j, "uri", f.uri);
  readField(j, "name", f.name);
}

void to_json(nlohmann::json& j, const WorkspaceFolder& f) {
  j = nlohmann::json{{"uri", f.uri}, {"name", f.name}};
}

void from_json(const nlohmann::json& j, DidChangeWorkspaceFoldersParams& p) {
  requireObject(j);
  nlohmann::json event;
  readField(j, "event", event);
  try {
    readField(event, "added", p.added);
    readField(event, "removed", p.removed);
  } catch (const FieldError& e) {
    throw e.nested("/event");
  }
}

void from_json(const nlohmann::json& j, DidChangeConfigurationParams& p) {
  requireObject(j);
  auto it = j.find("settings");
  p.settings = it == j.end() ? nlohmann::json(nullptr) : *it;
}

void from_json(const nlohmann::json& j, ExecuteCommandParams& p) {
  readField(j, "command", p.command);
  readOptional(j, "arguments", p.arguments);
  if (!p.arguments.is_array()) throw FieldError("/arguments", "must be an array");
  readOptional(j, "workDoneToken", p.workDoneToken);
}

}  // namespace sysimage::protocol
