// SysimageServices: the sysimage service of one server process and the platform it runs on, shared
// by every session (projects, statement stores, builds).
#pragma once

#include <utility>  // before Asio: Boost 1.74 awaitable.hpp uses std::exchange without it
#include <boost/asio/io_context.hpp>

#include <memory>
#include <string>

#include "server/service/service_platform.h"
#include "server/service/sysimage_service.h"

namespace sysimage::lsp {

struct ServiceOptions {
  std::string stateDir;  ///< from --state-dir; empty: SYSIMAGE_SERVER_STATE_DIR, else <first depot>/sysimage-server
  std::string julia;     ///< from --julia; empty: settings, JULIA, PATH, project-local runtime
};

/// The service on the real platform (a libuv loop thread), posting its callbacks to `io`.
///
/// Shutdown order: call shutdown() after the main loop stopped and before `io` is destroyed. It
/// releases everything that holds loop resources, then joins the platform's loop thread, so that
/// no callback is posted to `io` any more. Sessions that still hold this object may then only
/// unsubscribe.
class SysimageServices {
 public:
  SysimageServices(boost::asio::io_context& io, ServiceOptions options);
  ~SysimageServices();
  SysimageServices(const SysimageServices&) = delete;
  SysimageServices& operator=(const SysimageServices&) = delete;

  boost::asio::io_context& io() { return io_; }
  service::SysimageService& service() { return *service_; }
  /// Idempotent.
  void shutdown();

 private:
  boost::asio::io_context& io_;
  std::unique_ptr<service::UvServicePlatform> platform_;
  std::unique_ptr<service::SysimageService> service_;
};

std::shared_ptr<SysimageServices> makeSysimageServices(boost::asio::io_context& io, ServiceOptions options);

}  // namespace sysimage::lsp
