// Typed helpers for notifications the server sends to the client.
#include "server/lsp/client.h"

namespace sysimage::lsp {

void Client::logMessage(protocol::MessageType type, std::string message) {
  notify("window/logMessage", json(protocol::LogMessageParams{type, std::move(message)}));
}

void Client::showMessage(protocol::MessageType type, std::string message) {
  notify("window/showMessage", json(protocol::ShowMessageParams{type, std::move(message)}));
}

}  // namespace sysimage::lsp
