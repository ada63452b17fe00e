// JSON conversions of the custom sysimage/… messages.
#include "sysimage/protocol/sysimage.h"

#include "sysimage/protocol/json_fields.h"

namespace sysimage::protocol::sysimage {

void to_json(nlohmann::json& j, const ServerInfoResult& r) {
  j = nlohmann::json{{"version", r.version}, {"protocolVersion", r.protocolVersion}, {"pid", r.pid}};
}

void from_json(const nlohmann::json& j, PingParams& p) {
  readOptional(j, "delayMs", p.delayMs);
  if (p.delayMs < 0 || p.delayMs > 60000) throw FieldError("/delayMs", "must be between 0 and 60000");
}

void to_json(nlohmann::json& j, const PingResult&) { j = nlohmann::json::object(); }

void to_json(nlohmann::json& j, const CancelBuildResult& r) { j = nlohmann::json{{"cancelled", r.cancelled}}; }

void to_json(nlohmann::json& j, const BuildLogResult& r) {
  j = nlohmann::json{{"buildId", r.buildId}, {"path", r.path}, {"log", r.log}};
}

void to_json(nlohmann::json& j, const RequestFailedData& d) {
  j = nlohmann::json{{"reason", d.reason}};
  if (d.buildId) j["buildId"] = *d.buildId;
  if (d.logTail) j["logTail"] = *d.logTail;
}

void from_json(const nlohmann::json& j, ProjectParams& p) { readOptional(j, "project", p.project); }

void from_json(const nlohmann::json& j, BuildParams& p) {
  readOptional(j, "project", p.project);
  readOptional(j, "workDoneToken", p.workDoneToken);
  nlohmann::json options;
  readOptional(j, "options", options);
  if (options.is_null()) return;
  try {
    readOptional(options, "cpuTarget", p.cpuTarget);
    readOptional(options, "backend", p.backend);
    readOptional(options, "measure", p.measure);
    readOptional(options, "force", p.force);
  } catch (const FieldError& e) {
    throw e.nested("/options");
  }
  if (p.backend && *p.backend != "auto" && *p.backend != "native" && *p.backend != "packagecompiler") {
    throw FieldError("/options/backend", "must be \"auto\", \"native\" or \"packagecompiler\"");
  }
}

void from_json(const nlohmann::json& j, BuildLogParams& p) {
  readOptional(j, "project", p.project);
  readOptional(j, "buildId", p.buildId);
}

void from_json(const nlohmann::json& j, MeasureParams& p) {
  readOptional(j, "project", p.project);
  readOptional(j, "workload", p.workload);
  readOptional(j, "runs", p.runs);
  if (p.runs < 0 || p.runs > 100) throw FieldError("/runs", "must be between 1 and 100");
}

void to_json(nlohmann::json& j, const Timing& v) {
  j = nlohmann::json{{"median", v.median}, {"min", v.min}, {"max", v.max}, {"samples", v.samples}};
}

void to_json(nlohmann::json& j, const Measurement& v) {
  j = nlohmann::json{{"workload", v.workload}, {"runs", v.runs}, {"bare", v.bare}, {"withoutImage", v.withoutImage},
                     {"speedup", v.speedup}};
  j["withImage"] = v.withImage ? nlohmann::json(*v.withImage) : nlohmann::json(nullptr);
  j["image"] = v.image ? nlohmann::json(*v.image) : nlohmann::json(nullptr);
}

void to_json(nlohmann::json& j, const BuildResult& v) {
  j = nlohmann::json{{"buildId", v.buildId}, {"image", v.image}, {"durationSeconds", v.durationSeconds},
                     {"statementsOk", v.statementsOk}, {"statementsFailed", v.statementsFailed},
                     {"backend", v.backend}, {"cached", v.cached}};
  if (v.measurement) j["measurement"] = *v.measurement;
}

void to_json(nlohmann::json& j, const BuildInfo& v) {
  j = nlohmann::json{{"state", v.state}, {"buildId", v.buildId}, {"phase", v.phase}, {"message", v.message},
                     {"percentage", v.percentage}};
  if (v.error) j["error"] = *v.error;
}

void to_json(nlohmann::json& j, const JuliaInfo& v) {
  j = nlohmann::json{{"path", v.path}, {"version", v.version}};
  if (v.error) j["error"] = *v.error;
  if (v.errorKind) j["errorKind"] = *v.errorKind;
}

void to_json(nlohmann::json& j, const OutsideModule& v) {
  j = nlohmann::json{{"module", v.module}, {"statements", v.statements}, {"reason", v.reason}};
}

void to_json(nlohmann::json& j, const StatementCounts& v) {
  j = nlohmann::json{{"total", v.total},
                     {"nonPortable", v.nonPortable},
                     {"excluded", v.excluded},
                     {"newSinceBuild", v.newSinceBuild},
                     {"invalidLines", v.invalidLines},
                     {"outsideProject", v.outsideProject},
                     {"outsideModules", v.outsideModules}};
}

void to_json(nlohmann::json& j, const RecordingInfo& v) {
  j = nlohmann::json{{"sessions", v.sessions}, {"traceFileSessions", v.traceFileSessions}};
  if (v.traceFile) j["traceFile"] = *v.traceFile;
}

void to_json(nlohmann::json& j, const Status& v) {
  j = nlohmann::json{{"project", v.project},
                     {"name", v.name},
                     {"kind", v.kind},
                     {"julia", v.julia},
                     {"statements", v.statements},
                     {"recording", v.recording},
                     {"store", {{"dir", v.storeDir}, {"degraded", v.storeDegraded}}},
                     {"warnings", v.warnings}};
  if (v.storeError) j["store"]["error"] = *v.storeError;
  j["staleness"] = v.staleness;
  j["image"] = v.image ? nlohmann::json(*v.image) : nlohmann::json(nullptr);
  j["build"] = v.build ? nlohmann::json(*v.build) : nlohmann::json(nullptr);
}

void to_json(nlohmann::json& j, const FileProblem& v) {
  j = nlohmann::json{{"file", v.file}, {"line", v.line}, {"column", v.column}, {"message", v.message}};
}

void to_json(nlohmann::json& j, const DiffEntry& v) {
  j = nlohmann::json{{"name", v.name}, {"uuid", v.uuid}, {"change", v.change}, {"reason", v.reason}};
  j["old"] = v.oldValue ? nlohmann::json(*v.oldValue) : nlohmann::json(nullptr);
  j["new"] = v.newValue ? nlohmann::json(*v.newValue) : nlohmann::json(nullptr);
}

void to_json(nlohmann::json& j, const Staleness& v) {
  j = nlohmann::json{{"state", v.state}, {"reasons", v.reasons}, {"diff", v.diff}};
  if (v.manifestError) j["manifestError"] = *v.manifestError;
  if (v.projectError) j["projectError"] = *v.projectError;
  if (v.configError) j["configError"] = *v.configError;
}

void to_json(nlohmann::json& j, const ImageInfo& v) {
  nlohmann::json packages = nlohmann::json::array();
  for (const auto& p : v.packages) {
    packages.push_back({{"name", p.name}, {"version", p.version ? nlohmann::json(*p.version) : nlohmann::json(nullptr)}});
  }
  j = nlohmann::json{{"path", v.path},       {"builtAt", v.builtAt},   {"ageSeconds", v.ageSeconds},
                     {"juliaVersion", v.juliaVersion}, {"cpuTarget", v.cpuTarget}, {"backend", v.backend},
                     {"statements", v.statements}, {"buildSeconds", v.buildSeconds}, {"packages", packages},
                     {"usable", v.usable}};
  if (v.ttfx) j["ttfx"] = *v.ttfx;
}

void to_json(nlohmann::json& j, const ReplCommandResult& v) {
  j = nlohmann::json{{"command", v.command}, {"args", v.args}, {"env", v.env}, {"traceFile", v.traceFile},
                     {"project", v.project}};
}

}  // namespace sysimage::protocol::sysimage
