// The sysimage methods (`sysimage/…` requests, notifications and commands) served to each session,
// and the state they share across sessions of one process.
#pragma once

#include <utility>  // before Asio: Boost 1.74 awaitable.hpp uses std::exchange without it
#include <boost/asio/io_context.hpp>

#include <memory>
#include <string>

#include "server/lsp/session.h"

namespace sysimage::lsp {

struct ServiceOptions {
  std::string stateDir;  ///< from --state-dir; empty: SYSIMAGE_SERVER_STATE_DIR, else <first depot>/sysimage-server
  std::string julia;     ///< from --julia; empty: settings, JULIA, PATH, project-local runtime
};

/// State shared by all sessions of one server process (projects, statement stores, builds).
class SysimageServices;

std::shared_ptr<SysimageServices> makeSysimageServices(boost::asio::io_context& io, ServiceOptions options);

/// Creates the per-session feature that serves the `sysimage/…` methods from `services`.
FeatureFactory sysimageFeatureFactory(std::shared_ptr<SysimageServices> services);

}  // namespace sysimage::lsp
