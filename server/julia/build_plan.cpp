// Build plans: request file text and command lines of the native and PackageCompiler backends.
#include "server/julia/build_plan.h"

#include "server/julia/cpu_target.h"
#include "server/julia/packagecompiler_setup.h"

namespace sysimage::julia {
namespace fs = std::filesystem;

std::string_view toString(Backend backend) {
  return backend == Backend::PackageCompiler ? "packagecompiler" : "native";
}

namespace {

bool needsQuoting(const std::string& s) {
  if (s.empty()) return true;
  for (char c : s) {
    const bool plain = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                       std::string_view("-_./=:,+@%").find(c) != std::string_view::npos;
    if (!plain) return true;
  }
  return false;
}

std::string shellQuote(const std::string& s) {
  if (!needsQuoting(s)) return s;
  std::string out = "'";
  for (char c : s) {
    if (c == '\'') {
      out += "'\\''";
    } else {
      out += c;
    }
  }
  return out + "'";
}

// The request file strips blanks around values and splits lines, so such values cannot be written.
void checkRequestValue(const std::string& value, const char* what) {
  if (value.find_first_of("\r\n") != std::string::npos) {
    throw BuildPlanError(std::string("cannot build: the ") + what + " \"" + value + "\" contains a line break");
  }
  if (!value.empty() && (value.front() == ' ' || value.front() == '\t' || value.back() == ' ' || value.back() == '\t')) {
    throw BuildPlanError(std::string("cannot build: the ") + what + " \"" + value +
                         "\" starts or ends with a blank");
  }
}

std::string packageName(const std::string& entry) {
  const auto space = entry.find(' ');
  return space == std::string::npos ? entry : entry.substr(0, space);
}

std::string resolvedCpuTarget(const BuildRequest& request) {
  try {
    return resolveCpuTarget(request.cpuTarget, request.julia.arch, request.julia.version);
  } catch (const CpuTargetError& e) {
    throw BuildPlanError(e.what());
  }
}

}  // namespace

std::string Command::display() const {
  std::string out = shellQuote(program.string());
  for (const auto& a : args) out += " " + shellQuote(a);
  return out;
}

bool isMacOs(std::string_view os) { return os == "Darwin" || os == "Apple" || os == "macOS"; }
bool isWindows(std::string_view os) { return os == "Windows" || os == "NT" || os == "WINNT"; }

BuildPaths BuildPaths::forRequest(const BuildRequest& request) {
  const bool mac = isMacOs(request.julia.os);
  const core::VersionNumber& v = request.julia.version;
  const bool archive = mac || v.atLeast(1, 6);
  BuildPaths p;
  p.requestFile = request.workDir / "request.txt";
  p.progressFile = request.workDir / "progress.jsonl";
  p.packagesFile = request.workDir / "packages.txt";
  for (std::size_t i = 0; i < request.executionFiles.size(); ++i) {
    p.traceFiles.push_back(request.workDir / ("execution-" + std::to_string(i + 1) + ".trace.jl"));
  }
  p.objectFile = request.workDir / (archive ? "sys-o.a" : "sys.o");
  p.image = request.workDir / (mac ? "sysimage.dylib" : "sysimage.so");
  p.log = request.workDir / "build.log";
  p.tempDir = request.workDir / "tmp";
  p.libjuliaLinkDir = request.workDir / "libjulia";
  return p;
}

fs::path environmentDirectory(const BuildRequest& request) {
  if (!request.defaultEnvironment) return request.project;
  if (request.julia.depotPath.empty()) {
    throw BuildPlanError("cannot find the default environment: Julia reported an empty DEPOT_PATH");
  }
  return request.julia.depotPath.front() / "environments" / request.julia.defaultEnvironmentName();
}

bool hasLibjuliaInternal(const core::VersionNumber& v) { return v.atLeast(1, 6); }

bool hasPackageImages(const core::VersionNumber& v) { return v.atLeast(1, 9); }

std::string nativeRequestFileText(const BuildRequest& request, const BuildPaths& paths) {
  std::string text = "# sysimage build request (prepare.jl, build_sysimage.jl), written by sysimage-server\n";
  auto line = [&](const char* key, const std::string& value, const char* what) {
    checkRequestValue(value, what);
    text += key;
    text += '=';
    text += value;
    text += '\n';
  };
  line("stdlib", request.julia.stdlib.string(), "stdlib path");
  line("project", environmentDirectory(request).string(), "environment path");
  line("progress", paths.progressFile.string(), "progress file path");
  line("packages_file", paths.packagesFile.string(), "packages file path");
  line("import_into_main", request.importIntoMain ? "yes" : "no", "setting");
  for (const auto& p : request.packages) line("package", p, "package name");
  for (const auto& f : paths.traceFiles) line("statements", f.string(), "trace file path");
  for (const auto& f : request.statementFiles) line("statements", f.string(), "statement file path");
  return text;
}

namespace {

// The flags every native step starts with (PackageCompiler's get_julia_cmd() without --color: the
// output goes to build.log, not to a terminal).
std::vector<std::string> juliaFlags(const JuliaInstallation& julia) {
  std::vector<std::string> flags{"--startup-file=no", "--history-file=no"};
  if (hasPackageImages(julia.version)) flags.push_back("--pkgimages=no");
  return flags;
}

}  // namespace

Command nativePrepareCommand(const BuildRequest& request, const BuildPaths& paths, const fs::path& scriptsDir) {
  Command c;
  c.program = request.julia.executable;
  c.args = juliaFlags(request.julia);
  c.args.insert(c.args.end(), {"--project=" + environmentDirectory(request).string(),
                               "--sysimage=" + request.julia.imageFile.string(),
                               (scriptsDir / "prepare.jl").string(), paths.requestFile.string()});
  c.unsetEnv = {"JULIA_PROJECT"};
  return c;
}

Command executionTraceCommand(const BuildRequest& request, const BuildPaths& paths, std::size_t index) {
  if (index >= request.executionFiles.size() || index >= paths.traceFiles.size()) {
    throw BuildPlanError("no execution file number " + std::to_string(index + 1));
  }
  const fs::path env = environmentDirectory(request);
  const core::VersionNumber& v = request.julia.version;
  const bool loadPathEnv = v.atLeast(1, 6);
  Command c;
  c.program = request.julia.executable;
  c.args = juliaFlags(request.julia);
  c.args.push_back("--sysimage=" + request.julia.imageFile.string());
  if (!loadPathEnv) c.args.push_back("--project=" + env.string());
  c.args.insert(c.args.end(), {"--compile=all", "--trace-compile=" + paths.traceFiles[index].string(),
                               request.executionFiles[index].string()});
  if (loadPathEnv) c.env["JULIA_LOAD_PATH"] = env.string() + (isWindows(request.julia.os) ? ";" : ":") + "@stdlib";
  c.unsetEnv = {"JULIA_PROJECT"};
  c.cwd = env;  // BuildJob runs it in the work dir instead when this directory does not exist
  return c;
}

Command nativeObjectCommand(const BuildRequest& request, const BuildPaths& paths, const fs::path& scriptsDir) {
  Command c;
  c.program = request.julia.executable;
  c.args = juliaFlags(request.julia);
  c.args.insert(c.args.end(), {"--cpu-target=" + resolvedCpuTarget(request),
                               "--sysimage=" + request.julia.imageFile.string(),
                               "--project=" + environmentDirectory(request).string(),
                               "--output-o=" + paths.objectFile.string(), "--threads=1",
                               (scriptsDir / "build_sysimage.jl").string(), paths.requestFile.string()});
  c.unsetEnv = {"JULIA_PROJECT"};
  return c;
}

Command packageCompilerCommand(const BuildRequest& request, const BuildPaths& paths, const fs::path& scriptsDir,
                               const fs::path& cCompiler, const InheritedLibraryPaths& inherited) {
  const fs::path env = environmentDirectory(request);
  Command c;
  c.program = request.julia.executable;
  c.args = {"--startup-file=no", "--history-file=no", "--project=" + env.string(),
            (scriptsDir / "packagecompiler_build.jl").string(),
            "--sysimage-path", paths.image.string(),
            "--project", env.string(),
            "--cpu-target", resolvedCpuTarget(request)};
  for (const auto& p : request.packages) c.args.insert(c.args.end(), {"--package", packageName(p)});
  for (const auto& f : request.statementFiles) c.args.insert(c.args.end(), {"--statements", f.string()});
  for (const auto& f : request.executionFiles) c.args.insert(c.args.end(), {"--execute", f.string()});
  if (!cCompiler.empty()) c.env["JULIA_CC"] = cCompiler.string();
  c.env["TMPDIR"] = paths.tempDir.string();
  if (!libjuliaDevLinks(request.julia, paths.libjuliaLinkDir).empty()) {
    auto prepend = [&](const char* name, const std::optional<std::string>& old) {
      c.env[name] = paths.libjuliaLinkDir.string() + (old && !old->empty() ? ":" + *old : std::string());
    };
    prepend("LIBRARY_PATH", inherited.libraryPath);
    prepend("LD_LIBRARY_PATH", inherited.ldLibraryPath);
  }
  c.unsetEnv = {"JULIA_PROJECT"};
  return c;
}

}  // namespace sysimage::julia
