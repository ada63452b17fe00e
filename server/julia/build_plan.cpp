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
    return resolveCpuTarget(request.cpuTarget, request.julia.arch);
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
  BuildPaths p;
  p.requestFile = request.workDir / "request.txt";
  p.progressFile = request.workDir / "progress.jsonl";
  p.objectFile = request.workDir / (mac ? "sys-o.a" : "sys.o");
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

std::string nativeRequestFileText(const BuildRequest& request, const BuildPaths& paths) {
  std::string text = "# build_sysimage.jl request, written by sysimage-server\n";
  auto line = [&](const char* key, const std::string& value, const char* what) {
    checkRequestValue(value, what);
    text += key;
    text += '=';
    text += value;
    text += '\n';
  };
  line("stdlib", request.julia.stdlib.string(), "stdlib path");
  line("progress", paths.progressFile.string(), "progress file path");
  for (const auto& p : request.packages) line("package", p, "package name");
  for (const auto& f : request.statementFiles) line("statements", f.string(), "statement file path");
  for (const auto& f : request.executionFiles) line("execute", f.string(), "execution file path");
  return text;
}

Command nativeObjectCommand(const BuildRequest& request, const BuildPaths& paths, const fs::path& scriptsDir) {
  Command c;
  c.program = request.julia.executable;
  c.args = {"--startup-file=no", "--history-file=no"};
  if (!request.defaultEnvironment) c.args.push_back("--project=" + request.project.string());
  c.args.insert(c.args.end(), {"--output-o", paths.objectFile.string(), "-J", request.julia.imageFile.string(),
                               "--cpu-target", resolvedCpuTarget(request),
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
