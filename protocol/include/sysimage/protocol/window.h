// Window messages the server sends: window/logMessage, window/showMessage, window/showMessageRequest.
//
// Spec: https://microsoft.github.io/language-server-protocol/specifications/lsp/3.17/specification/#window_showMessageRequest
#pragma once

#include <nlohmann/json.hpp>

#include <optional>
#include <string>
#include <vector>

namespace sysimage::protocol {

enum class MessageType : int { Error = 1, Warning = 2, Info = 3, Log = 4, Debug = 5 };

/// `window/logMessage` and `window/showMessage` params.
struct LogMessageParams {
  MessageType type = MessageType::Info;
  std::string message;
};
void to_json(nlohmann::json& j, const LogMessageParams& p);
using ShowMessageParams = LogMessageParams;

struct MessageActionItem {
  std::string title;
};
void to_json(nlohmann::json& j, const MessageActionItem& a);
void from_json(const nlohmann::json& j, MessageActionItem& a);

/// `window/showMessageRequest` params; the client answers a MessageActionItem or null.
struct ShowMessageRequestParams {
  MessageType type = MessageType::Info;
  std::string message;
  std::vector<MessageActionItem> actions;
};
void to_json(nlohmann::json& j, const ShowMessageRequestParams& p);

}  // namespace sysimage::protocol
