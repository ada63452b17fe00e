// SysimageServices: the service and its platform, created and shut down in the right order.
#include "server/lsp/sysimage_services.h"

#include <boost/asio/post.hpp>

namespace sysimage::lsp {

SysimageServices::SysimageServices(boost::asio::io_context& io, ServiceOptions options) : io_(io) {
  platform::Post post = [&io](std::function<void()> task) { boost::asio::post(io, std::move(task)); };
  platform_ = std::make_unique<service::UvServicePlatform>(post);
  service_ = std::make_unique<service::SysimageService>(
      post,
      service::SysimageService::Options{
          options.stateDir.empty() ? std::nullopt : std::optional<std::string>(options.stateDir),
          options.julia.empty() ? std::nullopt : std::optional<std::string>(options.julia)},
      platform_->facilities());
}

SysimageServices::~SysimageServices() { shutdown(); }

void SysimageServices::shutdown() {
  service_->shutdown();
  platform_.reset();  // joins the loop thread: nothing is posted to io_ after this
}

std::shared_ptr<SysimageServices> makeSysimageServices(boost::asio::io_context& io, ServiceOptions options) {
  return std::make_shared<SysimageServices>(io, std::move(options));
}

}  // namespace sysimage::lsp
