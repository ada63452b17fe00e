// What server-side features may ask of the client they serve (one connected editor).
#pragma once

#include <chrono>
#include <functional>
#include <string_view>

#include "server/lsp/endpoint.h"
#include "sysimage/protocol/lifecycle.h"
#include "sysimage/protocol/window.h"

namespace sysimage::lsp {

/// The client side of a session, as features see it. Implemented by Session; faked in tests.
class Client {
 public:
  virtual ~Client() = default;
  virtual void notify(std::string_view method, json params) = 0;
  virtual void call(std::string_view method, json params, std::function<void(ClientResponse)> onResponse,
                    std::chrono::milliseconds timeout = std::chrono::seconds(30)) = 0;
  virtual const protocol::ClientCapabilities& capabilities() const = 0;

  /// `window/logMessage` (user-facing log lines, shown in the editor's output panel).
  void logMessage(protocol::MessageType type, std::string message);
  /// `window/showMessage`.
  void showMessage(protocol::MessageType type, std::string message);
};

}  // namespace sysimage::lsp
