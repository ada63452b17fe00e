// Finding and probing a Julia installation.
#include "server/julia/julia_installation.h"

#include <sys/stat.h>
#include <unistd.h>

#include <nlohmann/json.hpp>
#include <spdlog/spdlog.h>
#include <sstream>

#include "server/core/stat_time.h"
#include "server/platform/process.h"

namespace sysimage::julia {
namespace fs = std::filesystem;

const char* ProbeError::kindName() const {
  switch (kind_) {
    case Kind::NotFound: return "notFound";
    case Kind::NotExecutable: return "notExecutable";
    case Kind::NotJulia: return "notJulia";
    case Kind::TooOld: return "tooOld";
    case Kind::Timeout: return "timeout";
    case Kind::Failed: return "failed";
  }
  return "failed";
}

JuliaInstallation JuliaInstallation::fromProbeJson(const std::string& line, const fs::path& executable) {
  JuliaInstallation j;
  j.executable = executable;
  try {
    const auto v = nlohmann::json::parse(line);
    j.versionText = v.at("version").get<std::string>();
    auto version = core::VersionNumber::parse(j.versionText);
    if (!version) throw ProbeError(ProbeError::Kind::NotJulia, "unreadable Julia version in the probe output");
    j.version = *version;
    j.bindir = v.at("bindir").get<std::string>();
    j.libdir = v.at("libdir").get<std::string>();
    j.privateLibdir = v.at("privateLibdir").get<std::string>();
    j.imageFile = v.at("imageFile").get<std::string>();
    j.stdlib = v.at("stdlib").get<std::string>();
    for (const auto& d : v.at("depotPath")) j.depotPath.emplace_back(d.get<std::string>());
    j.cpuName = v.at("cpuName").get<std::string>();
    j.wordSize = v.at("wordSize").get<int>();
    j.arch = v.at("arch").get<std::string>();
    j.os = v.at("os").get<std::string>();
    j.packageCompiler = v.value("packageCompiler", false);
    for (const auto& f : v.value("libjuliaFiles", nlohmann::json::array())) j.libjuliaFiles.push_back(f.get<std::string>());
    for (const auto& f : v.value("libjuliaLoaded", nlohmann::json::array())) j.libjuliaLoaded.emplace_back(f.get<std::string>());
  } catch (const nlohmann::json::exception& e) {
    throw ProbeError(ProbeError::Kind::NotJulia,
                     executable.string() + " did not answer the Julia probe as Julia would (" + e.what() + ")");
  }
  return j;
}

namespace {

bool isExecutableFile(const fs::path& p) {
  std::error_code ec;
  return fs::is_regular_file(p, ec) && ::access(p.c_str(), X_OK) == 0;
}

std::optional<fs::path> searchPath(const std::string& name, const std::string& pathEnv) {
  std::stringstream ss(pathEnv);
  std::string dir;
  while (std::getline(ss, dir, ':')) {
    if (dir.empty()) continue;
    fs::path candidate = fs::path(dir) / name;
    if (isExecutableFile(candidate)) return candidate;
  }
  return std::nullopt;
}

fs::path checkExplicit(const std::string& value, const std::string& origin, const std::optional<std::string>& pathEnv) {
  fs::path p(value);
  if (p.is_relative() && p.has_parent_path() == false && pathEnv) {
    if (auto found = searchPath(value, *pathEnv)) return *found;
  }
  std::error_code ec;
  if (!fs::exists(p, ec)) {
    throw ProbeError(ProbeError::Kind::NotFound, "Julia not found: " + origin + " is \"" + value + "\", which does not exist");
  }
  if (!isExecutableFile(p)) {
    throw ProbeError(ProbeError::Kind::NotExecutable, "Julia at " + value + " (" + origin + ") is not an executable file");
  }
  return fs::absolute(p);
}

}  // namespace

JuliaSearch defaultJuliaSearch(std::optional<std::string> configured) {
  JuliaSearch s;
  s.configured = std::move(configured);
  if (s.configured && s.configured->empty()) s.configured.reset();
  if (const char* j = std::getenv("JULIA"); j && *j) s.envJulia = j;
  if (const char* p = std::getenv("PATH")) s.pathEnv = p;
  s.projectRuntimes.push_back(fs::path(SYSIMAGE_SOURCE_DIR) / ".julia-runtime" / "bin" / "julia");
  return s;
}

fs::path resolveJulia(const JuliaSearch& search) {
  if (search.configured) return checkExplicit(*search.configured, "the juliaPath setting", search.pathEnv);
  if (search.envJulia) return checkExplicit(*search.envJulia, "$JULIA", search.pathEnv);
  if (search.pathEnv) {
    if (auto found = searchPath("julia", *search.pathEnv)) return *found;
  }
  for (const auto& runtime : search.projectRuntimes) {
    if (isExecutableFile(runtime)) return runtime;
  }
  std::string tried = "the juliaPath setting (unset), $JULIA (unset), PATH";
  for (const auto& r : search.projectRuntimes) tried += ", " + r.string();
  throw ProbeError(ProbeError::Kind::NotFound,
                   "Julia not found (tried " + tried + "). Install Julia 1.5 or newer, or set juliaSysimage.juliaPath.");
}

JuliaProber::JuliaProber(fs::path scriptsDir, std::chrono::milliseconds timeout)
    : scriptsDir_(std::move(scriptsDir)), timeout_(timeout) {}

JuliaInstallation JuliaProber::probe(const fs::path& executable) {
  struct stat st {};
  if (::stat(executable.c_str(), &st) != 0) {
    throw ProbeError(ProbeError::Kind::NotFound, "Julia not found at " + executable.string());
  }
  if (!isExecutableFile(executable)) {
    throw ProbeError(ProbeError::Kind::NotExecutable, executable.string() + " is not an executable file");
  }
  const long long mtime = core::modificationTimeNs(st);
  const auto key = std::make_pair(executable.string(), mtime);
  {
    std::lock_guard lock(mutex_);
    if (auto it = cache_.find(key); it != cache_.end()) return it->second;
  }
  platform::ProcessOptions options;
  options.program = executable;
  options.args = {"--startup-file=no", "--history-file=no", (scriptsDir_ / "probe.jl").string()};
  options.unsetEnv = {"JULIA_PROJECT"};
  platform::RunResult result;
  try {
    result = platform::runProcessSync(options, timeout_);
  } catch (const std::system_error& e) {
    throw ProbeError(ProbeError::Kind::NotExecutable, "cannot run " + executable.string() + ": " + e.what());
  }
  {
    std::lock_guard lock(mutex_);
    ++probesRun_;
  }
  if (result.timedOut) {
    throw ProbeError(ProbeError::Kind::Timeout, executable.string() + " did not answer the probe within " +
                                                    std::to_string(timeout_.count() / 1000.0).substr(0, 4) + " s");
  }
  if (result.status.exitCode != 0) {
    std::string tail = result.err.size() > 400 ? result.err.substr(result.err.size() - 400) : result.err;
    const std::string how = result.status.termSignal ? "was killed by signal " + std::to_string(result.status.termSignal)
                                                     : "exited with code " + std::to_string(result.status.exitCode);
    throw ProbeError(ProbeError::Kind::NotJulia, executable.string() + " " + how + " when probed" +
                                                     (tail.empty() ? "" : ": " + tail));
  }
  // The probe prints one JSON line; take the last non-empty line (startup noise could precede it).
  std::string line;
  std::stringstream ss(result.out);
  for (std::string l; std::getline(ss, l);) {
    if (!l.empty() && l.front() == '{') line = l;
  }
  if (line.empty()) {
    throw ProbeError(ProbeError::Kind::NotJulia, executable.string() + " ran but did not print the probe's answer; is it Julia?");
  }
  JuliaInstallation installation = JuliaInstallation::fromProbeJson(line, fs::absolute(executable));
  if (installation.version < *core::VersionNumber::parse("1.5.0")) {
    throw ProbeError(ProbeError::Kind::TooOld,
                     "Julia " + installation.versionText + " at " + executable.string() + " is too old: 1.5 or newer is needed");
  }
  spdlog::info("probed Julia {} at {} (cpu {}, PackageCompiler {})", installation.versionText, executable.string(),
               installation.cpuName, installation.packageCompiler ? "found" : "not found");
  std::lock_guard lock(mutex_);
  cache_[key] = installation;
  return installation;
}

fs::path juliaScriptsDir() {
  std::error_code ec;
  const fs::path exe = fs::read_symlink("/proc/self/exe", ec);
  if (!ec) {
    const fs::path installed = exe.parent_path().parent_path() / "share" / "sysimage-server" / "julia";
    if (fs::exists(installed / "probe.jl", ec)) return installed;
  }
  return SYSIMAGE_JULIA_SCRIPTS_DIR;
}

}  // namespace sysimage::julia
