// Service snapshots → protocol structs (see sysimage_convert.h).
#include "server/lsp/sysimage_convert.h"

namespace sysimage::lsp {
namespace proto = protocol::sysimage;

namespace {

std::optional<std::string> nonEmpty(const std::string& v) {
  return v.empty() ? std::nullopt : std::optional<std::string>(v);
}

proto::Timing toProtocol(const service::Timing& t) { return proto::Timing{t.median, t.min, t.max, t.samples}; }

std::optional<proto::FileProblem> toProtocol(const std::optional<service::FileProblem>& p) {
  if (!p) return std::nullopt;
  return proto::FileProblem{p->file, p->line, p->column, p->message};
}

proto::ImageInfo toProtocol(const service::ImageStatus& s) {
  proto::ImageInfo image;
  image.path = s.path;
  image.builtAt = s.builtAt;
  image.ageSeconds = s.ageSeconds;
  image.juliaVersion = s.juliaVersion;
  image.cpuTarget = s.cpuTarget;
  image.backend = s.backend;
  image.statements = s.statements;
  image.buildSeconds = s.buildSeconds;
  image.usable = s.usable;
  for (const auto& [name, version] : s.packages) image.packages.push_back(proto::ImagePackage{name, nonEmpty(version)});
  if (s.ttfx) image.ttfx = lsp::toProtocol(*s.ttfx);
  return image;
}

}  // namespace

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
  out.storeError = nonEmpty(s.storeError);
  out.warnings = s.warnings;
  out.staleness.state = s.staleness.state;
  out.staleness.reasons = s.staleness.reasons;
  for (const auto& d : s.staleness.diff) {
    out.staleness.diff.push_back(
        proto::DiffEntry{d.name, d.uuid, d.change, nonEmpty(d.oldValue), nonEmpty(d.newValue), d.reason});
  }
  out.staleness.manifestError = toProtocol(s.staleness.manifestError);
  out.staleness.projectError = toProtocol(s.staleness.projectError);
  out.staleness.configError = toProtocol(s.staleness.configError);
  if (s.image) out.image = toProtocol(*s.image);
  if (s.build) {
    const auto& b = *s.build;
    out.build = proto::BuildInfo{b.state, b.buildId, b.phase, b.message, b.percentage, nonEmpty(b.error)};
  }
  return out;
}

proto::Measurement toProtocol(const service::Measurement& m) {
  proto::Measurement out;
  out.workload = m.workload;
  out.runs = m.runs;
  out.bare = toProtocol(m.bare);
  out.withoutImage = toProtocol(m.withoutImage);
  if (m.withImage) out.withImage = toProtocol(*m.withImage);
  out.speedup = m.speedup;
  out.image = nonEmpty(m.image);
  return out;
}

proto::BuildResult toProtocol(const service::BuildResult& r) {
  proto::BuildResult out{r.buildId, r.image.string(), r.durationSeconds, r.statementsOk, r.statementsFailed,
                         r.backend, r.cached, std::nullopt};
  if (r.measurement) out.measurement = toProtocol(*r.measurement);
  return out;
}

proto::ReplCommandResult toProtocol(const service::ReplCommand& c) {
  return proto::ReplCommandResult{c.command, c.args, c.env, c.traceFile.string(), c.project.string()};
}

proto::BuildLogResult toProtocol(const service::BuildLog& log) {
  return proto::BuildLogResult{log.buildId, log.path.string(), log.text};
}

protocol::ResponseError toResponseError(const service::ServiceError& e) {
  if (e.code == "cancelled") return protocol::ResponseError{protocol::ErrorCode::RequestCancelled, e.message, std::nullopt};
  proto::RequestFailedData data{e.code, nonEmpty(e.buildId), std::nullopt};
  if (!e.logTail.empty()) data.logTail = e.logTail;
  return protocol::ResponseError{protocol::ErrorCode::RequestFailed, e.message, nlohmann::json(data)};
}

}  // namespace sysimage::lsp
