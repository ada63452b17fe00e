// Project file model: parsing Project.toml / JuliaProject.toml and locating a project root.
#include "server/core/toml_util.h"
#include "server/core/project_file.h"

#include <cstdlib>
#include <fstream>
#include <sstream>
#include <toml++/toml.h>

namespace sysimage::core {

namespace {

[[noreturn]] void fail(ParseErrorKind kind, const std::filesystem::path& file, const toml::node* at,
                       const std::string& key, const std::string& msg) {
  int line = 0, column = 0;
  if (at != nullptr) {
    line = static_cast<int>(at->source().begin.line);
    column = static_cast<int>(at->source().begin.column);
  }
  throw ParseError(kind, file, line, column, key, msg);
}

std::string toLower(std::string s) {
  for (char& c : s) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
  return s;
}

std::optional<std::string> optString(const std::filesystem::path& file, const toml::table& t, std::string_view key) {
  const toml::node* n = t.get(key);
  if (n == nullptr) return std::nullopt;
  if (!n->is_string()) fail(ParseErrorKind::wrongType, file, n, std::string(key), "expected `" + std::string(key) + "` to be a string");
  return n->as_string()->get();
}

// A `[deps]`-like table: name -> string. UUID tables validate and lower-case their values.
std::map<std::string, std::string> stringTable(const std::filesystem::path& file, const toml::table& root,
                                               std::string_view section, bool uuids) {
  std::map<std::string, std::string> out;
  const toml::node* n = root.get(section);
  if (n == nullptr) return out;
  const toml::table* t = n->as_table();
  if (t == nullptr) fail(ParseErrorKind::wrongType, file, n, std::string(section), "expected `" + std::string(section) + "` to be a table");
  for (auto&& [name, value] : *t) {
    const std::string key = std::string(section) + "." + std::string(name.str());
    if (!value.is_string()) fail(ParseErrorKind::wrongType, file, &value, key, "expected `" + key + "` to be a string");
    std::string text = value.as_string()->get();
    if (uuids) {
      if (!isUuid(text)) fail(ParseErrorKind::malformedUuid, file, &value, key, "could not parse `" + key + "` as a UUID: \"" + text + "\"");
      text = toLower(std::move(text));
    }
    out.emplace(std::string(name.str()), std::move(text));
  }
  return out;
}

bool isFileCaseSensitive(const std::filesystem::path& p) {
  std::error_code ec;
  if (!std::filesystem::is_regular_file(p, ec)) return false;
  for (std::filesystem::directory_iterator it(p.parent_path(), ec), end; !ec && it != end; it.increment(ec)) {
    if (it->path().filename() == p.filename()) return true;
  }
  return false;
}

}  // namespace

std::vector<std::string> ProjectFile::directDependencyNames() const {
  std::vector<std::string> names;
  names.reserve(deps.size());
  for (const auto& [name, uuid] : deps) names.push_back(name);
  return names;
}

ProjectFile parseProjectFile(std::string_view text, const std::filesystem::path& file) {
  toml::table root = parseTomlText(text, file);
  ProjectFile p;
  p.file = file;
  p.name = optString(file, root, "name");
  p.uuid = optString(file, root, "uuid");
  if (p.uuid) {
    if (!isUuid(*p.uuid)) fail(ParseErrorKind::malformedUuid, file, root.get("uuid"), "uuid", "could not parse `uuid` as a UUID: \"" + *p.uuid + "\"");
    p.uuid = toLower(*p.uuid);
  }
  p.version = optString(file, root, "version");
  if (p.version && !VersionNumber::parse(*p.version)) {
    fail(ParseErrorKind::malformedValue, file, root.get("version"), "version", "could not parse `version` \"" + *p.version + "\"");
  }
  p.deps = stringTable(file, root, "deps", true);
  p.weakdeps = stringTable(file, root, "weakdeps", true);
  p.extras = stringTable(file, root, "extras", true);
  p.compat = stringTable(file, root, "compat", false);
  return p;
}

ProjectFile readProjectFile(const std::filesystem::path& file) {
  std::ifstream in(file, std::ios::binary);
  if (!in) throw ParseError(ParseErrorKind::io, file, 0, 0, "", "cannot open file");
  std::ostringstream buf;
  buf << in.rdbuf();
  return parseProjectFile(buf.str(), file);
}

std::optional<std::filesystem::path> projectFileIn(const std::filesystem::path& dir) {
  for (const char* name : {"JuliaProject.toml", "Project.toml"}) {
    const std::filesystem::path candidate = dir / name;
    if (isFileCaseSensitive(candidate)) return candidate;
  }
  return std::nullopt;
}

std::optional<std::filesystem::path> findProjectRoot(const std::filesystem::path& startDir,
                                                     const std::optional<std::filesystem::path>& stopAt) {
  // Absolute, lexically normal, without a trailing separator ("/a/b/" -> "/a/b").
  const auto normalize = [](const std::filesystem::path& p) -> std::optional<std::filesystem::path> {
    std::error_code ec;
    std::filesystem::path out = std::filesystem::absolute(p, ec).lexically_normal();
    if (ec) return std::nullopt;
    if (!out.has_filename() && out != out.root_path()) out = out.parent_path();
    return out;
  };
  std::optional<std::filesystem::path> dir = normalize(startDir);
  if (!dir) return std::nullopt;
  std::error_code ec;
  if (std::filesystem::is_regular_file(*dir, ec)) dir = dir->parent_path();
  const std::optional<std::filesystem::path> stop = stopAt ? normalize(*stopAt) : std::nullopt;
  while (true) {
    if (projectFileIn(*dir)) return dir;
    if (stop && *dir == *stop) break;
    const std::filesystem::path parent = dir->parent_path();
    if (parent == *dir || parent.empty()) break;
    dir = parent;
  }
  return std::nullopt;
}

std::optional<std::filesystem::path> findProjectRoot(const std::filesystem::path& startDir) {
  const char* home = std::getenv("HOME");
  return findProjectRoot(startDir, home != nullptr && *home != '\0' ? std::optional<std::filesystem::path>(home) : std::nullopt);
}

}  // namespace sysimage::core
