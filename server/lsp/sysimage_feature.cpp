// The sysimage feature: binds the `sysimage/…` methods of each session to the shared service.
#include "server/lsp/sysimage_feature.h"

#include <unistd.h>

#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <set>
#include <spdlog/spdlog.h>

#include "server/service/sysimage_service.h"
#include "sysimage/protocol/json_fields.h"
#include "sysimage/protocol/sysimage.h"
#include "sysimage/protocol/uri.h"

namespace sysimage::lsp {
namespace fs = std::filesystem;
namespace proto = protocol::sysimage;

class SysimageServices {
 public:
  SysimageServices(boost::asio::io_context& io, ServiceOptions options)
      : io_(io),
        service_([&io](std::function<void()> task) { boost::asio::post(io, std::move(task)); },
                 service::SysimageService::Options{
                     options.stateDir.empty() ? std::nullopt : std::optional<std::string>(options.stateDir),
                     options.julia.empty() ? std::nullopt : std::optional<std::string>(options.julia)}) {}
  boost::asio::io_context& io() { return io_; }
  service::SysimageService& service() { return service_; }

 private:
  boost::asio::io_context& io_;
  service::SysimageService service_;
};

namespace {

proto::Measurement toProtocol(const service::Measurement& m);

proto::Status toProtocol(const service::ProjectStatus& s) {
  proto::Status out;
  out.project = s.project.string();
  out.name = s.name;
  out.kind = s.kind;
  out.julia.path = s.julia.path;
  out.julia.version = s.julia.version;
  if (!s.julia.error.empty()) {
    out.julia.error = s.julia.error;
    out.julia.errorKind = s.julia.errorKind;
  }
  out.statements = proto::StatementCounts{s.statements.total, s.statements.nonPortable, s.statements.excluded,
                                          s.statements.newSinceBuild, s.statements.invalidLines,
                                          s.statements.outsideProject, {}};
  for (const auto& m : s.statements.outsideModules) {
    out.statements.outsideModules.push_back(proto::OutsideModule{m.module, m.statements, m.reason});
  }
  out.recording.sessions = s.recordingSessions;
  if (!s.traceFile.empty()) out.recording.traceFile = s.traceFile.string();
  out.recording.traceFileSessions = s.traceFileSessions;
  out.storeDir = s.storeDir.string();
  out.storeDegraded = s.storeDegraded;
  if (!s.storeError.empty()) out.storeError = s.storeError;
  out.warnings = s.warnings;
  out.staleness.state = s.staleness.state;
  out.staleness.reasons = s.staleness.reasons;
  for (const auto& d : s.staleness.diff) {
    auto opt = [](const std::string& v) { return v.empty() ? std::nullopt : std::optional<std::string>(v); };
    out.staleness.diff.push_back(proto::DiffEntry{d.name, d.uuid, d.change, opt(d.oldValue), opt(d.newValue), d.reason});
  }
  auto problem = [](const std::optional<service::FileProblem>& p) -> std::optional<proto::FileProblem> {
    if (!p) return std::nullopt;
    return proto::FileProblem{p->file, p->line, p->column, p->message};
  };
  out.staleness.manifestError = problem(s.staleness.manifestError);
  out.staleness.projectError = problem(s.staleness.projectError);
  out.staleness.configError = problem(s.staleness.configError);
  if (s.image) {
    proto::ImageInfo image;
    image.path = s.image->path;
    image.builtAt = s.image->builtAt;
    image.ageSeconds = s.image->ageSeconds;
    image.juliaVersion = s.image->juliaVersion;
    image.cpuTarget = s.image->cpuTarget;
    image.backend = s.image->backend;
    image.statements = s.image->statements;
    image.buildSeconds = s.image->buildSeconds;
    image.usable = s.image->usable;
    for (const auto& [name, version] : s.image->packages) {
      image.packages.push_back(proto::ImagePackage{name, version.empty() ? std::nullopt : std::optional(version)});
    }
    if (s.image->ttfx) image.ttfx = toProtocol(*s.image->ttfx);
    out.image = std::move(image);
  }
  if (s.build) {
    const auto& b = *s.build;
    out.build = proto::BuildInfo{b.state, b.buildId, b.phase, b.message, b.percentage,
                                 b.error.empty() ? std::nullopt : std::optional(b.error)};
  }
  return out;
}

proto::Timing toProtocol(const service::Timing& t) { return proto::Timing{t.median, t.min, t.max, t.samples}; }

proto::Measurement toProtocol(const service::Measurement& m) {
  proto::Measurement out;
  out.workload = m.workload;
  out.runs = m.runs;
  out.bare = toProtocol(m.bare);
  out.withoutImage = toProtocol(m.withoutImage);
  if (m.withImage) out.withImage = toProtocol(*m.withImage);
  out.speedup = m.speedup;
  out.image = m.image;
  return out;
}

proto::BuildResult toProtocol(const service::BuildResult& r) {
  proto::BuildResult out{r.buildId, r.image.string(), r.durationSeconds, r.statementsOk, r.statementsFailed,
                         r.backend, r.cached, std::nullopt};
  if (r.measurement) out.measurement = toProtocol(*r.measurement);
  return out;
}

/// The user-facing end message of a build: what was gained, when measured.
std::string buildEndMessage(const service::BuildResult& r) {
  if (r.cached && !r.measurement) return "Sysimage is up to date";
  std::string message = r.cached ? "Sysimage is up to date" : "Sysimage ready";
  if (r.measurement && r.measurement->withImage) {
    char buf[96];
    std::snprintf(buf, sizeof buf, ": TTFX %.1f s → %.1f s", r.measurement->withoutImage.median,
                  r.measurement->withImage->median);
    message += buf;
  }
  return message;
}

/// A service error as a JSON-RPC error: cancelled → -32800, anything else → -32803 with details.
ResponseError toResponseError(const service::ServiceError& e) {
  if (e.code == "cancelled") return ResponseError{ErrorCode::RequestCancelled, e.message, std::nullopt};
  json data{{"reason", e.code}};
  if (!e.buildId.empty()) data["buildId"] = e.buildId;
  if (!e.logTail.empty()) data["logTail"] = e.logTail;
  return ResponseError{ErrorCode::RequestFailed, e.message, data};
}

proto::ReplCommandResult toProtocol(const service::ReplCommand& c) {
  return proto::ReplCommandResult{c.command, c.args, c.env, c.traceFile.string(), c.project.string()};
}

/// Reads the juliaSysimage.* settings, flat (initializationOptions) or under "juliaSysimage"
/// (workspace/didChangeConfiguration). Unknown keys and wrong types are ignored with a warning.
service::Settings readSettings(const json& raw, service::Settings settings) {
  if (!raw.is_object()) return settings;
  const json& s = raw.contains("juliaSysimage") && raw["juliaSysimage"].is_object() ? raw["juliaSysimage"] : raw;
  auto str = [&](const char* key, std::optional<std::string>& out) {
    if (auto it = s.find(key); it != s.end()) {
      if (it->is_string() && !it->get<std::string>().empty()) out = it->get<std::string>();
      else if (it->is_null() || (it->is_string() && it->get<std::string>().empty())) out.reset();
      else spdlog::warn("setting {} must be a string", key);
    }
  };
  str("juliaPath", settings.juliaPath);
  str("stateDir", settings.stateDir);
  str("environmentPath", settings.environmentPath);
  if (auto it = s.find("cpuTarget"); it != s.end() && it->is_string()) settings.cpuTarget = it->get<std::string>();
  if (auto it = s.find("suggestRebuildAfterStatements"); it != s.end() && it->is_number_integer()) {
    settings.suggestRebuildAfterStatements = std::max(0, it->get<int>());
  }
  if (auto it = s.find("excludeNonPortableStatements"); it != s.end() && it->is_boolean()) {
    settings.excludeNonPortableStatements = it->get<bool>();
  }
  if (auto it = s.find("autoRecordRepl"); it != s.end() && it->is_boolean()) settings.autoRecordRepl = it->get<bool>();
  if (auto it = s.find("logLevel"); it != s.end() && it->is_string()) {
    spdlog::set_level(spdlog::level::from_str(it->get<std::string>()));
  }
  return settings;
}

class SysimageFeature : public SessionFeature, public std::enable_shared_from_this<SysimageFeature> {
 public:
  SysimageFeature(std::weak_ptr<Session> session, std::shared_ptr<SysimageServices> services)
      : session_(std::move(session)), services_(std::move(services)) {}

  ~SysimageFeature() override {
    if (subscription_) services_->service().unsubscribe(subscription_);
  }

  void bind(Bindings& bindings, std::map<std::string, CommandHandler>& commands) override {
    bindings.request(proto::kServerInfo, this, &SysimageFeature::onServerInfo);
    bindings.request(proto::kPing, this, &SysimageFeature::onPing);
    bindings.request(proto::kStatus, this, &SysimageFeature::onStatus);
    bindings.request(proto::kReplCommand, this, &SysimageFeature::onReplCommand);
    bindings.request(proto::kBuild, this, &SysimageFeature::onBuild);
    bindings.request(proto::kCancelBuild, this, &SysimageFeature::onCancelBuild);
    bindings.request(proto::kBuildLog, this, &SysimageFeature::onBuildLog);
    bindings.request(proto::kMeasure, this, &SysimageFeature::onMeasure);
    commands[proto::kCmdBuild] = [this](const protocol::ExecuteCommandParams& p, std::shared_ptr<ReplyOnce> reply) {
      proto::BuildParams params;
      if (!p.arguments.empty() && p.arguments[0].is_object()) {
        try {
          params = protocol::parseParams<proto::BuildParams>(p.arguments[0]);
        } catch (const protocol::FieldError& e) {
          reply->error(ErrorCode::InvalidParams, "invalid params at /params/arguments/0" + e.path() + ": " + e.detail());
          return;
        }
      } else if (!p.arguments.empty() && p.arguments[0].is_string()) {
        params.project = p.arguments[0].get<std::string>();
      }
      if (!params.workDoneToken) params.workDoneToken = p.workDoneToken;
      onBuild(params, Reply<json>(reply));
    };
    commands[proto::kCmdCancelBuild] = [this](const protocol::ExecuteCommandParams& p, std::shared_ptr<ReplyOnce> reply) {
      withProjectArgument(p, reply, [this](std::optional<fs::path> project, Reply<json> r) {
        r(json{{"cancelled", services_->service().cancelBuild(project)}});
      });
    };
    commands[proto::kCmdMeasure] = [this](const protocol::ExecuteCommandParams& p, std::shared_ptr<ReplyOnce> reply) {
      withProjectArgument(p, reply, [this](std::optional<fs::path> project, Reply<json> r) { measure(project, std::nullopt, 0, r); });
    };
    commands[proto::kCmdShowBuildLog] = [this](const protocol::ExecuteCommandParams& p, std::shared_ptr<ReplyOnce> reply) {
      withProjectArgument(p, reply, [this](std::optional<fs::path> project, Reply<json> r) {
        buildLog(project, std::nullopt, r);
      });
    };
    commands[proto::kCmdStartRecordedRepl] = [this](const protocol::ExecuteCommandParams& p, std::shared_ptr<ReplyOnce> reply) {
      withProjectArgument(p, reply, [this](std::optional<fs::path> project, Reply<json> r) { replCommand(project, r); });
    };
    commands[proto::kCmdClearStatements] = [this](const protocol::ExecuteCommandParams& p, std::shared_ptr<ReplyOnce> reply) {
      withProjectArgument(p, reply, [this](std::optional<fs::path> project, Reply<json> r) {
        services_->service().clearStatements(project, [r](service::Result<service::ProjectStatus> result) {
          if (auto* e = std::get_if<service::ServiceError>(&result)) {
            r.error(ErrorCode::RequestFailed, e->message);
          } else {
            r(json(toProtocol(std::get<service::ProjectStatus>(result))));
          }
        });
      });
    };
  }

  void initialize(const protocol::InitializeParams& params) override {
    services_->service().configure(readSettings(params.initializationOptions, services_->service().settings()));
    for (const auto& folder : params.workspaceFolders.value_or(std::vector<protocol::WorkspaceFolder>{})) {
      if (auto path = protocol::uriToPath(folder.uri)) folders_.push_back(*path);
    }
    if (folders_.empty() && params.rootUri) {
      if (auto path = protocol::uriToPath(*params.rootUri)) folders_.push_back(*path);
    }
    if (folders_.empty() && params.rootPath) folders_.push_back(*params.rootPath);
  }

  void initialized() override {
    service::SysimageService::Subscriber subscriber;
    subscriber.onStatus = [weak = weak_from_this()](const service::ProjectStatus& status) {
      if (auto self = weak.lock()) self->onStatusChanged(status);
    };
    subscriber.canOffer = [weak = weak_from_this()](const fs::path& project) {
      auto self = weak.lock();
      auto session = self ? self->session_.lock() : nullptr;
      return session && session->capabilities().showMessageRequest && self->projects_.count(project.string()) > 0;
    };
    subscriber.offer = [weak = weak_from_this()](const service::RebuildOffer& offer,
                                                 std::function<void(std::optional<std::string>)> answer) {
      auto self = weak.lock();
      auto session = self ? self->session_.lock() : nullptr;
      if (!session) return answer(std::nullopt);
      protocol::ShowMessageRequestParams params;
      params.type = protocol::MessageType::Warning;
      params.message = offer.message;
      for (const auto& a : offer.actions) params.actions.push_back(protocol::MessageActionItem{a});
      // The user may leave the notification open for long: wait up to an hour for the answer.
      session->call("window/showMessageRequest", json(params), [answer](ClientResponse response) {
        if (response.result && response.result->is_object() && response.result->contains("title") &&
            (*response.result)["title"].is_string()) {
          answer((*response.result)["title"].get<std::string>());
        } else {
          answer(std::nullopt);
        }
      }, std::chrono::hours(1));
    };
    subscriber.onRebuild = [weak = weak_from_this()](const fs::path& project) {
      if (auto self = weak.lock()) self->startBuild(project, proto::BuildParams{}, std::nullopt);
    };
    subscription_ = services_->service().subscribe(std::move(subscriber));
    // Open the project of every workspace folder so that recording and watching start at once.
    for (const auto& folder : folders_) announce(folder);
  }

  void didChangeWorkspaceFolders(const protocol::DidChangeWorkspaceFoldersParams& params) override {
    for (const auto& removed : params.removed) {
      if (auto path = protocol::uriToPath(removed.uri)) std::erase(folders_, fs::path(*path));
    }
    for (const auto& added : params.added) {
      if (auto path = protocol::uriToPath(added.uri)) {
        folders_.push_back(*path);
        announce(*path);
      }
    }
  }

  void didChangeConfiguration(const json& settings) override {
    services_->service().configure(readSettings(settings, services_->service().settings()));
    // Settings can change the Julia, the CPU target and the thresholds: send fresh statuses.
    for (const auto& folder : folders_) announce(folder);
  }

  void disconnected() override {
    if (subscription_) services_->service().unsubscribe(subscription_);
    subscription_ = 0;
  }

 private:
  /// Sends the status of `folder`'s project once, and remembers the project for statusChanged.
  void announce(const fs::path& folder) {
    services_->service().status(environmentOf(folder), [weak = weak_from_this()](service::Result<service::ProjectStatus> result) {
      auto self = weak.lock();
      if (!self) return;
      if (auto* status = std::get_if<service::ProjectStatus>(&result)) {
        self->projects_.insert(status->project.string());
        self->notify(*status);
      }
    });
  }

  void onStatusChanged(const service::ProjectStatus& status) {
    if (projects_.count(status.project.string()) == 0) return;
    notify(status);
  }

  void notify(const service::ProjectStatus& status) {
    auto session = session_.lock();
    if (!session) return;
    session->notify(proto::kStatusChanged, json(toProtocol(status)));
    // Tell the user once when recorded statements can no longer be saved (and once when they can again).
    const std::string key = status.project.string();
    const bool wasDegraded = degraded_.count(key) > 0;
    if (status.storeDegraded && !wasDegraded) {
      degraded_.insert(key);
      session->showMessage(protocol::MessageType::Warning,
                           "Julia Sysimage: recorded statements for " + status.name +
                               " cannot be saved (" + status.storeError + "). They are kept in memory and saved when "
                               "the state directory is writable again.");
    } else if (!status.storeDegraded && wasDegraded) {
      degraded_.erase(key);
      session->logMessage(protocol::MessageType::Info, "Julia Sysimage: statements for " + status.name + " saved again.");
    }
    for (const auto& w : status.warnings) {
      if (warned_.insert(key + "\n" + w).second) session->logMessage(protocol::MessageType::Warning, "Julia Sysimage: " + w);
    }
  }

  /// The project a request names, else the first workspace folder, else the default environment.
  std::optional<fs::path> projectPath(const std::optional<std::string>& given, std::string& error) const {
    if (given) {
      auto path = protocol::uriToPath(*given);
      if (!path) {
        error = "project must be an absolute path or a file:// URI, got \"" + *given + "\"";
        return std::nullopt;
      }
      return fs::path(*path);
    }
    if (!folders_.empty()) return environmentOf(folders_.front());
    return std::nullopt;
  }

  /// A workspace folder's environment directory: the configured sub-path when there is one.
  fs::path environmentOf(const fs::path& folder) const {
    const auto& sub = services_->service().settings().environmentPath;
    if (!sub || sub->empty()) return folder;
    const fs::path p(*sub);
    return p.is_absolute() ? p : folder / p;
  }

  void withProjectArgument(const protocol::ExecuteCommandParams& params, const std::shared_ptr<ReplyOnce>& once,
                           const std::function<void(std::optional<fs::path>, Reply<json>)>& run) {
    // Arguments: [] or [{project}] or ["<path or uri>"].
    proto::ProjectParams p;
    if (!params.arguments.empty()) {
      const json& a = params.arguments[0];
      if (a.is_string()) {
        p.project = a.get<std::string>();
      } else {
        try {
          p = protocol::parseParams<proto::ProjectParams>(a);
        } catch (const protocol::FieldError& e) {
          once->error(ErrorCode::InvalidParams, "invalid params at /params/arguments/0" + e.path() + ": " + e.detail());
          return;
        }
      }
    }
    std::string error;
    auto path = projectPath(p.project, error);
    if (!error.empty()) {
      once->error(ErrorCode::InvalidParams, error);
      return;
    }
    run(path, Reply<json>(once));
  }

  void onServerInfo(const NoParams&, Reply<proto::ServerInfoResult> reply) {
    proto::ServerInfoResult result;
    result.version = SYSIMAGE_SERVER_VERSION;
    result.protocolVersion = kSysimageProtocolVersion;
    result.pid = static_cast<int>(::getpid());
    reply(result);
  }

  void onPing(const proto::PingParams& params, Reply<json> reply) {
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

  void onStatus(const proto::ProjectParams& params, Reply<json> reply) {
    std::string error;
    auto path = projectPath(params.project, error);
    if (!error.empty()) {
      reply.error(ErrorCode::InvalidParams, error);
      return;
    }
    services_->service().status(path, [weak = weak_from_this(), reply](service::Result<service::ProjectStatus> result) {
      if (auto* e = std::get_if<service::ServiceError>(&result)) {
        reply.error(ErrorCode::RequestFailed, e->message);
        return;
      }
      const auto& status = std::get<service::ProjectStatus>(result);
      if (auto self = weak.lock(); self && !status.project.empty()) self->projects_.insert(status.project.string());
      reply(json(toProtocol(status)));
    });
  }

  void onReplCommand(const proto::ProjectParams& params, Reply<json> reply) {
    std::string error;
    auto path = projectPath(params.project, error);
    if (!error.empty()) {
      reply.error(ErrorCode::InvalidParams, error);
      return;
    }
    replCommand(path, reply);
  }

  void onBuild(const proto::BuildParams& params, Reply<json> reply) {
    std::string error;
    auto path = projectPath(params.project, error);
    if (!error.empty()) {
      reply.error(ErrorCode::InvalidParams, error);
      return;
    }
    reply.cancellation().onCancel([this, path] { services_->service().cancelBuild(path); });
    startBuild(path, params, reply);
  }

  /// Starts (or joins) a build reporting work done progress; answers `reply` when it ends.
  void startBuild(const std::optional<fs::path>& path, const proto::BuildParams& params, std::optional<Reply<json>> reply) {
    auto session = session_.lock();
    if (!session) return;
    std::weak_ptr<SysimageFeature> weak = weak_from_this();
    auto progress = session->createProgress("Building sysimage", params.workDoneToken, true, [weak, path] {
      if (auto self = weak.lock()) self->services_->service().cancelBuild(path);
    });
    progress->begin("Preparing", 0);
    service::BuildOptions options{params.cpuTarget, params.backend, params.measure, params.force};
    services_->service().build(
        path, options,
        [progress](const service::BuildProgressUpdate& u) { progress->report(u.message, u.percentage); },
        [progress, reply, weak](service::Result<service::BuildResult> result) {
          if (auto* r = std::get_if<service::BuildResult>(&result)) {
            progress->report(std::nullopt, 100);
            progress->end(buildEndMessage(*r));
            if (reply) (*reply)(json(toProtocol(*r)));
            return;
          }
          const auto& e = std::get<service::ServiceError>(result);
          progress->end(e.code == "cancelled" ? "Build cancelled" : "Build failed: " + e.message);
          if (auto self = weak.lock(); self && e.code != "cancelled" && !reply) {
            if (auto s = self->session_.lock()) s->showMessage(protocol::MessageType::Error, "Sysimage build failed: " + e.message);
          }
          if (reply) reply->error(toResponseError(e));
        });
  }

  void onCancelBuild(const proto::ProjectParams& params, Reply<json> reply) {
    std::string error;
    auto path = projectPath(params.project, error);
    if (!error.empty()) {
      reply.error(ErrorCode::InvalidParams, error);
      return;
    }
    reply(json{{"cancelled", services_->service().cancelBuild(path)}});
  }

  void onBuildLog(const proto::BuildLogParams& params, Reply<json> reply) {
    std::string error;
    auto path = projectPath(params.project, error);
    if (!error.empty()) {
      reply.error(ErrorCode::InvalidParams, error);
      return;
    }
    buildLog(path, params.buildId, reply);
  }

  void buildLog(const std::optional<fs::path>& path, const std::optional<std::string>& buildId, Reply<json> reply) {
    services_->service().buildLog(path, buildId, [reply](service::Result<service::BuildLog> result) {
      if (auto* e = std::get_if<service::ServiceError>(&result)) {
        reply.error(toResponseError(*e));
        return;
      }
      const auto& log = std::get<service::BuildLog>(result);
      reply(json{{"buildId", log.buildId}, {"path", log.path.string()}, {"log", log.text}});
    });
  }

  void onMeasure(const proto::MeasureParams& params, Reply<json> reply) {
    std::string error;
    auto path = projectPath(params.project, error);
    std::optional<fs::path> workload;
    if (params.workload) {
      auto w = protocol::uriToPath(*params.workload);
      if (!w) error = "workload must be an absolute path or a file:// URI";
      else workload = fs::path(*w);
    }
    if (!error.empty()) {
      reply.error(ErrorCode::InvalidParams, error);
      return;
    }
    measure(path, workload, params.runs, reply);
  }

  void measure(const std::optional<fs::path>& path, const std::optional<fs::path>& workload, int runs, Reply<json> reply) {
    services_->service().measure(path, workload, runs, [reply](service::Result<service::Measurement> result) {
      if (auto* e = std::get_if<service::ServiceError>(&result)) {
        reply.error(toResponseError(*e));
        return;
      }
      reply(json(toProtocol(std::get<service::Measurement>(result))));
    });
  }

  void replCommand(const std::optional<fs::path>& path, Reply<json> reply) {
    services_->service().replCommand(path, [weak = weak_from_this(), reply](service::Result<service::ReplCommand> result) {
      if (auto* e = std::get_if<service::ServiceError>(&result)) {
        reply.error(ErrorCode::RequestFailed, e->message);
        return;
      }
      const auto& cmd = std::get<service::ReplCommand>(result);
      if (auto self = weak.lock()) self->projects_.insert(cmd.project.string());
      reply(json(toProtocol(cmd)));
    });
  }

  std::weak_ptr<Session> session_;
  std::shared_ptr<SysimageServices> services_;
  std::vector<fs::path> folders_;
  std::set<std::string> projects_;  // projects this session has seen: it gets their statusChanged
  std::set<std::string> degraded_;  // projects whose store could not be written, already told
  std::set<std::string> warned_;    // store warnings already logged
  int subscription_ = 0;
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
