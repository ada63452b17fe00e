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
  if (auto best = shortestVersionedLibrary(files, stem)) return "-l:" + *best;
  return "-l" + stem.substr(3);
}

}  // namespace

std::optional<std::string> shortestVersionedLibrary(const std::vector<std::string>& files, std::string_view stem) {
  const std::string prefix = std::string(stem) + ".so.";
  std::optional<std::string> best;
  for (const auto& f : files) {
    if (f.starts_with(prefix) && (!best || f.size() < best->size())) best = f;
  }
  return best;
}

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

namespace {

// bitflag() and march() of PackageCompiler (v1.4.0 L64-89, @7fa17bd3 L49-62), by Sys.ARCH.
std::vector<std::string> architectureFlags(std::string_view arch) {
  if (arch == "x86_64") return {"-m64", "-march=x86-64"};
  if (arch == "i686") return {"-m32", "-march=pentium4"};
  if (arch == "arm" || arch == "armv7l") return {"-march=armv7-a+simd"};
  if (arch == "aarch64") return {"-march=armv8-a+crypto+simd"};
  return {};
}

}  // namespace

Command linkCommand(const BuildRequest& request, const BuildPaths& paths, const CCompiler& compiler) {
  const JuliaInstallation& julia = request.julia;
  if (isWindows(julia.os)) {
    throw BuildPlanError("the native backend cannot link sysimages on Windows; use the PackageCompiler backend");
  }
  const bool mac = isMacOs(julia.os);
  const bool since16 = hasLibjuliaInternal(julia.version);
  const std::string libdir = julia.libdir.string();
  const std::string privateLibdir = julia.privateLibdir.empty() ? libdir : julia.privateLibdir.string();
  const std::string name = paths.image.filename().string();
  Command c;
  c.program = compiler.program;
  c.args = compiler.args;
  for (auto& f : architectureFlags(julia.arch)) c.args.push_back(std::move(f));
  c.args.push_back("-shared");
  c.args.push_back("-L" + libdir);
  if (since16) c.args.push_back("-L" + privateLibdir);
  c.args.insert(c.args.end(), {"-o", paths.image.string()});
  if (mac) {
    c.args.insert(c.args.end(), {"-Wl,-all_load", paths.objectFile.string()});
  } else {
    c.args.insert(c.args.end(), {"-Wl,--whole-archive", paths.objectFile.string(), "-Wl,--no-whole-archive"});
    if (since16) c.args.insert(c.args.end(), {"-Wl,-rpath-link," + libdir, "-Wl,-rpath-link," + privateLibdir});
  }
  for (auto& f : libjuliaLinkFlags(julia)) c.args.push_back(std::move(f));
  c.args.push_back("-fPIC");
  if (mac) {
    c.args.push_back("-Wl,-rpath,@executable_path");
    c.args.push_back(since16 ? "-Wl,-rpath,@executable_path/julia" : "-Wl,-rpath,@executable_path/../lib");
    if (since16) c.args.push_back("-Wl,-install_name,@rpath/" + name);
  } else {
    if (since16) c.args.push_back("-Wl,-soname," + name);
    c.args.push_back(since16 ? "-Wl,-rpath,$ORIGIN:$ORIGIN/julia" : "-Wl,-rpath,$ORIGIN:$ORIGIN/../lib");
  }
  return c;
}

}  // namespace sysimage::julia
