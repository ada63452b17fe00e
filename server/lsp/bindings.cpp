// The binding table's dispatch and error mapping.
#include "server/lsp/bindings.h"

#include <spdlog/spdlog.h>

namespace sysimage::lsp {

std::string Bindings::describe(const protocol::FieldError& e) {
  return "at /params" + e.path() + ": " + e.detail();
}

void Bindings::logBadNotification(const std::string& method, const std::string& what) {
  spdlog::warn("ignoring {} with invalid params: {}", method, what);
}

bool Bindings::dispatch(const std::string& method, const json& params, const std::shared_ptr<ReplyOnce>& reply) const {
  auto it = requests_.find(method);
  if (it == requests_.end()) return false;
  try {
    it->second(params, reply);
  } catch (const std::exception& e) {
    spdlog::error("handler of {} threw: {}", method, e.what());
    if (!reply->replied()) reply->error(ErrorCode::InternalError, std::string("internal error: ") + e.what());
  }
  return true;
}

bool Bindings::dispatch(const std::string& method, const json& params) const {
  auto it = notifications_.find(method);
  if (it == notifications_.end()) return false;
  try {
    it->second(params);
  } catch (const std::exception& e) {
    spdlog::error("handler of {} threw: {}", method, e.what());
  }
  return true;
}

std::vector<std::string> Bindings::requestMethods() const {
  std::vector<std::string> out;
  for (const auto& [name, _] : requests_) out.push_back(name);
  return out;
}

}  // namespace sysimage::lsp
