// The sysimage methods (`sysimage/…` requests, notifications and commands) served to each session,
// and the state they share across sessions of one process.
#pragma once

#include <utility>  // before Asio: Boost 1.74 awaitable.hpp uses std::exchange without it
#include <boost/asio/io_context.hpp>

#include <memory>
#include <string>

#include "server/lsp/session.h"
#include "server/lsp/sysimage_services.h"

namespace sysimage::lsp {

/// Creates the per-session feature that serves the `sysimage/…` methods from `services`.
FeatureFactory sysimageFeatureFactory(std::shared_ptr<SysimageServices> services);

}  // namespace sysimage::lsp
