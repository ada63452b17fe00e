// The typed binding table: method names -> handlers, with params parsed in one place.
#pragma once

#include <functional>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "server/lsp/reply.h"
#include "sysimage/protocol/json_fields.h"

namespace sysimage::lsp {

/// For methods without params.
struct NoParams {};
inline void from_json(const json&, NoParams&) {}

/// Maps method names to typed handlers. Parsing params never throws into a handler: a
/// protocol::FieldError becomes InvalidParams (-32602) naming the JSON path; an exception thrown
/// by a handler before it replied becomes InternalError (-32603).
class Bindings {
 public:
  using RawRequestHandler = std::function<void(const json& params, std::shared_ptr<ReplyOnce>)>;
  using RawNotificationHandler = std::function<void(const json& params)>;

  /// Binds `method` to `(obj->*fn)(const Params&, Reply<Result>)`.
  template <class Params, class Result, class Obj>
  void request(const std::string& method, Obj* obj, void (Obj::*fn)(const Params&, Reply<Result>)) {
    requests_[method] = [obj, fn](const json& raw, std::shared_ptr<ReplyOnce> once) {
      Params params;
      try {
        params = protocol::parseParams<Params>(raw);
      } catch (const protocol::FieldError& e) {
        once->error(ErrorCode::InvalidParams, "invalid params " + describe(e));
        return;
      }
      (obj->*fn)(params, Reply<Result>(once));
    };
  }

  /// Binds `method` to `(obj->*fn)(const Params&)`. Bad params are logged (notifications have no reply).
  template <class Params, class Obj>
  void notification(const std::string& method, Obj* obj, void (Obj::*fn)(const Params&)) {
    notifications_[method] = [obj, fn, method](const json& raw) {
      Params params;
      try {
        params = protocol::parseParams<Params>(raw);
      } catch (const protocol::FieldError& e) {
        logBadNotification(method, describe(e));
        return;
      }
      (obj->*fn)(params);
    };
  }

  /// Binds `method` to a handler that reads its params itself.
  void requestRaw(const std::string& method, RawRequestHandler handler) { requests_[method] = std::move(handler); }

  /// Runs the handler of a request. Returns false when no handler is bound (caller answers MethodNotFound).
  bool dispatch(const std::string& method, const json& params, const std::shared_ptr<ReplyOnce>& reply) const;
  /// Runs the handler of a notification. Returns false when none is bound.
  bool dispatch(const std::string& method, const json& params) const;

  std::vector<std::string> requestMethods() const;

  /// "params/options/cpuTarget: must be a string" style text for a FieldError.
  static std::string describe(const protocol::FieldError& e);

 private:
  static void logBadNotification(const std::string& method, const std::string& what);
  std::map<std::string, RawRequestHandler, std::less<>> requests_;
  std::map<std::string, RawNotificationHandler, std::less<>> notifications_;
};

}  // namespace sysimage::lsp
