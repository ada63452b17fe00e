// The PackageCompiler backend's libjulia links, statement total and object-file check (see the header).
#include "server/julia/packagecompiler_setup.h"

#include <algorithm>
#include <fstream>

#include "server/julia/build_link.h"
#include "server/julia/build_plan.h"

namespace sysimage::julia {
namespace fs = std::filesystem;

namespace {

// "libjulia.so.1" -> "libjulia"; nullopt for a name without ".so".
std::optional<std::string> stemOf(const std::string& fileName) {
  const auto so = fileName.find(".so");
  if (so == std::string::npos) return std::nullopt;
  return fileName.substr(0, so);
}

std::optional<fs::path> loadedLibrary(const JuliaInstallation& julia, const std::string& stem) {
  for (const auto& p : julia.libjuliaLoaded) {
    if (stemOf(p.filename().string()) == stem) return p;
  }
  return std::nullopt;
}

}  // namespace

std::vector<LibraryLink> libjuliaDevLinks(const JuliaInstallation& julia, const fs::path& dir) {
  std::vector<LibraryLink> links;
  if (isMacOs(julia.os) || isWindows(julia.os)) return links;
  const bool internal = hasLibjuliaInternal(julia.version);
  std::vector<std::pair<std::string, fs::path>> wanted{{"libjulia", julia.libdir}};
  if (internal) wanted.emplace_back("libjulia-internal", julia.privateLibdir.empty() ? julia.libdir : julia.privateLibdir);
  for (const auto& [stem, home] : wanted) {
    const std::string plain = stem + ".so";
    if (std::find(julia.libjuliaFiles.begin(), julia.libjuliaFiles.end(), plain) != julia.libjuliaFiles.end()) continue;
    auto target = loadedLibrary(julia, stem);
    if (!target) {
      if (auto file = shortestVersionedLibrary(julia.libjuliaFiles, stem)) target = home / *file;
    }
    if (target) links.push_back({dir / plain, *target});
  }
  return links;
}

void createLibraryLinks(const std::vector<LibraryLink>& links) {
  for (const auto& l : links) {
    fs::create_directories(l.link.parent_path());
    std::error_code ignored;
    fs::remove(l.link, ignored);
    fs::create_symlink(l.target, l.link);
  }
}

namespace {

// Whether `line` holds something besides blanks, leading `#= … =#` comments and a `#` comment.
bool replayedLine(std::string_view line) {
  constexpr std::string_view kBlanks = " \t\r\f\v";
  for (;;) {
    const auto start = line.find_first_not_of(kBlanks);
    if (start == std::string_view::npos) return false;
    line.remove_prefix(start);
    if (!line.starts_with("#=")) return line.front() != '#';
    const auto end = line.find("=#", 2);
    if (end == std::string_view::npos) return false;  // the first line of a long comment
    line.remove_prefix(end + 2);
  }
}

}  // namespace

std::size_t countReplayedLines(const std::vector<fs::path>& files) {
  std::size_t n = 0;
  for (const auto& f : files) {
    std::ifstream in(f, std::ios::binary);
    for (std::string line; std::getline(in, line);) {
      if (replayedLine(line)) ++n;
    }
  }
  return n;
}

std::size_t replayedStatementTotal(const BuildRequest& request) {
  const auto& files = request.statementFiles;
  if (!request.firstStatementFileCount || files.empty()) return countReplayedLines(files);
  return *request.firstStatementFileCount + countReplayedLines({files.begin() + 1, files.end()});
}

bool packageCompilerObjectWritten(const fs::path& tempDir) {
  std::error_code ec;
  for (const auto& entry : fs::directory_iterator(tempDir, ec)) {
    const std::string name = entry.path().filename().string();
    if (!name.ends_with(".o") && !name.ends_with("-o.a")) continue;
    std::error_code e;
    if (entry.is_regular_file(e) && entry.file_size(e) > 0 && !e) return true;
  }
  return false;
}

}  // namespace sysimage::julia
