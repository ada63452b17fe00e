// The sysimage feature: binds the `sysimage/…` methods of each session to the shared services.
#include "server/lsp/sysimage_feature.h"

#include <unistd.h>

#include <boost/asio/steady_timer.hpp>
#include <spdlog/spdlog.h>

#include "sysimage/protocol/sysimage.h"

namespace sysimage::lsp {

class SysimageServices {
 public:
  SysimageServices(boost::asio::io_context& io, ServiceOptions options) : io_(io), options_(std::move(options)) {}
  boost::asio::io_context& io() { return io_; }
  const ServiceOptions& options() const { return options_; }

 private:
  boost::asio::io_context& io_;
  ServiceOptions options_;
};

namespace {

class SysimageFeature : public SessionFeature {
 public:
  SysimageFeature(std::weak_ptr<Session> session, std::shared_ptr<SysimageServices> services)
      : session_(std::move(session)), services_(std::move(services)) {}

  void bind(Bindings& bindings, std::map<std::string, CommandHandler>&) override {
    bindings.request(protocol::sysimage::kServerInfo, this, &SysimageFeature::onServerInfo);
    bindings.request(protocol::sysimage::kPing, this, &SysimageFeature::onPing);
  }

 private:
  void onServerInfo(const NoParams&, Reply<protocol::sysimage::ServerInfoResult> reply) {
    protocol::sysimage::ServerInfoResult result;
    result.version = SYSIMAGE_SERVER_VERSION;
    result.protocolVersion = kSysimageProtocolVersion;
    result.pid = static_cast<int>(::getpid());
    reply(result);
  }

  void onPing(const protocol::sysimage::PingParams& params, Reply<json> reply) {
    if (params.delayMs == 0) {
      reply(json::object());
      return;
    }
    auto timer = std::make_shared<boost::asio::steady_timer>(services_->io(), std::chrono::milliseconds(params.delayMs));
    reply.cancellation().onCancel([timer] { timer->cancel(); });
    timer->async_wait([timer, reply](const boost::system::error_code& ec) {
      if (!ec) reply(json::object());
    });
  }

  std::weak_ptr<Session> session_;
  std::shared_ptr<SysimageServices> services_;
};

}  // namespace

std::shared_ptr<SysimageServices> makeSysimageServices(boost::asio::io_context& io, ServiceOptions options) {
  return std::make_shared<SysimageServices>(io, std::move(options));
}

FeatureFactory sysimageFeatureFactory(std::shared_ptr<SysimageServices> services) {
  return [services](const std::shared_ptr<Session>& session) {
    return std::vector<std::shared_ptr<SessionFeature>>{std::make_shared<SysimageFeature>(session, services)};
  };
}

}  // namespace sysimage::lsp
