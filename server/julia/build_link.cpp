// Finding the C compiler and the link flags of the native backend (see build_link.h for the rules).
#include "server/julia/build_link.h"

#include <unistd.h>

#include <algorithm>
#include <sstream>

namespace sysimage::julia {
namespace fs = std::filesystem;

namespace {

bool isExecutableFile(const fs::path& p) {
  std::error_code ec;
  return fs::is_regular_file(p, ec) && ::access(p.c_str(), X_OK) == 0;
}

std::optional<fs::path> searchPath(const std::string& name, const std::optional<std::string>& pathEnv) {
  if (!pathEnv) return std::nullopt;
  std::stringstream ss(*pathEnv);
  std::string dir;
  while (std::getline(ss, dir, ':')) {
    if (dir.empty()) continue;
    fs::path candidate = fs::path(dir) / name;
    if (isExecutableFile(candidate)) return candidate;
  }
  return std::nullopt;
}

std::vector<std::string> splitWords(const std::string& s) {
  std::vector<std::string> words;
  std::istringstream in(s);
  std::string w;
  while (in >> w) words.push_back(w);
  return words;
}

std::string installHint(std::string_view os) {
  return isMacOs(os) ? "install the Xcode command line tools (xcode-select --install)" : "install gcc (build-essential)";
}

// `-l` flag for library `stem` ("libjulia"): the plain name when the dev symlink exists, else the
// shortest versioned file name.
std::string elfLibraryFlag(const std::vector<std::string>& files, const std::string& stem) {
  const std::string plain = stem + ".so";
  if (std::find(files.begin(), files.end(), plain) != files.end()) return "-l" + stem.substr(3);
  std::optional<std::string> best;
  for (const auto& f : files) {
    if (f.rfind(plain + ".", 0) == 0 && (!best || f.size() < best->size())) best = f;
  }
  if (best) return "-l:" + *best;
  return "-l" + stem.substr(3);
}

bool hasLibjuliaInternal(const core::VersionNumber& v) { return v.major > 1 || (v.major == 1 && v.minor >= 6); }

}  // namespace

CCompiler findCCompiler(const std::optional<std::string>& ccEnv, const std::optional<std::string>& pathEnv,
                        std::string_view os) {
  if (ccEnv) {
    auto words = splitWords(*ccEnv);
    if (!words.empty()) {
      const std::string& first = words.front();
      std::optional<fs::path> found;
      if (first.find('/') != std::string::npos) {
        if (isExecutableFile(first)) found = fs::absolute(first);
      } else {
        found = searchPath(first, pathEnv);
      }
      if (!found) {
        throw BuildPlanError("no C compiler found: CC is \"" + *ccEnv + "\", but \"" + first +
                             "\" is not an executable; " + installHint(os) + " or set CC to a C compiler");
      }
      return CCompiler{*found, std::vector<std::string>(words.begin() + 1, words.end()), "$CC"};
    }
  }
  for (const char* name : {"cc", "gcc", "clang"}) {
    if (auto found = searchPath(name, pathEnv)) return CCompiler{*found, {}, "PATH"};
  }
  throw BuildPlanError("no C compiler found: " + installHint(os) + "; looked for cc, gcc and clang on PATH");
}

std::vector<std::string> libjuliaLinkFlags(const JuliaInstallation& julia) {
  const bool internal = hasLibjuliaInternal(julia.version);
  if (isMacOs(julia.os)) {
    std::vector<std::string> flags{"-ljulia"};
    if (internal) flags.push_back("-ljulia-internal");
    return flags;
  }
  std::vector<std::string> flags{elfLibraryFlag(julia.libjuliaFiles, "libjulia")};
  if (internal) flags.push_back(elfLibraryFlag(julia.libjuliaFiles, "libjulia-internal"));
  return flags;
}

Command linkCommand(const BuildRequest& request, const BuildPaths& paths, const CCompiler& compiler) {
  if (isWindows(request.julia.os)) {
    throw BuildPlanError("the native backend cannot link sysimages on Windows; use the PackageCompiler backend");
  }
  Command c;
  c.program = compiler.program;
  c.args = compiler.args;
  if (isMacOs(request.julia.os)) {
    c.args.insert(c.args.end(), {"-dynamiclib", "-o", paths.image.string(), "-Wl,-all_load", paths.objectFile.string()});
  } else {
    c.args.insert(c.args.end(), {"-shared", "-o", paths.image.string(), "-Wl,--whole-archive",
                                 paths.objectFile.string(), "-Wl,--no-whole-archive"});
  }
  c.args.push_back("-L" + request.julia.libdir.string());
  if (!request.julia.privateLibdir.empty() && request.julia.privateLibdir != request.julia.libdir) {
    c.args.push_back("-L" + request.julia.privateLibdir.string());
  }
  for (auto& f : libjuliaLinkFlags(request.julia)) c.args.push_back(std::move(f));
  return c;
}

}  // namespace sysimage::julia
