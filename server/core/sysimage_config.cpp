// Per-project sysimage configuration: reading and validating JuliaSysimage.toml.
#include "server/core/toml_util.h"
#include "server/core/sysimage_config.h"

#include <algorithm>
#include <fstream>
#include <set>
#include <sstream>
#include <toml++/toml.h>

namespace sysimage::core {

std::string_view toString(BuildBackend backend) {
  switch (backend) {
    case BuildBackend::automatic: return "auto";
    case BuildBackend::native: return "native";
    case BuildBackend::packageCompiler: return "packagecompiler";
  }
  return "auto";
}

std::optional<BuildBackend> buildBackendFromString(std::string_view text) {
  for (BuildBackend b : {BuildBackend::automatic, BuildBackend::native, BuildBackend::packageCompiler}) {
    if (toString(b) == text) return b;
  }
  return std::nullopt;
}

CpuTargetKind SysimageConfig::cpuTargetKind() const {
  if (cpuTarget == "native") return CpuTargetKind::native;
  if (cpuTarget == "portable") return CpuTargetKind::portable;
  return CpuTargetKind::custom;
}

std::vector<std::string> SysimageConfig::packagesToInclude(const ProjectFile& project) const {
  std::set<std::string> names;
  if (packages) {
    names.insert(packages->begin(), packages->end());
  } else {
    for (const auto& [name, uuid] : project.deps) names.insert(name);
  }
  for (const std::string& ex : exclude) names.erase(ex);
  return {names.begin(), names.end()};
}

std::vector<std::filesystem::path> sysimageConfigCandidates(const std::filesystem::path& projectRoot) {
  return {projectRoot / ".vscode" / "JuliaSysimage.toml", projectRoot / "JuliaSysimage.toml"};
}

std::optional<std::filesystem::path> findSysimageConfig(const std::filesystem::path& projectRoot) {
  for (const std::filesystem::path& p : sysimageConfigCandidates(projectRoot)) {
    std::error_code ec;
    if (std::filesystem::is_regular_file(p, ec)) return p;
  }
  return std::nullopt;
}

namespace {

class ConfigReader {
 public:
  ConfigReader(const std::filesystem::path& file, const std::filesystem::path& root, SysimageConfig& out)
      : file_(file), root_(root), out_(out) {}

  [[noreturn]] void fail(ParseErrorKind kind, const toml::node& at, const std::string& key, const std::string& msg) const {
    throw ParseError(kind, file_, static_cast<int>(at.source().begin.line), static_cast<int>(at.source().begin.column),
                     key, "`" + key + "` " + msg);
  }

  void warn(const toml::node& at, const std::string& msg) const {
    out_.warnings.push_back(file_.string() + ":" + std::to_string(at.source().begin.line) + ": " + msg);
  }

  const toml::table& table(const toml::node& n, const std::string& key) const {
    const toml::table* t = n.as_table();
    if (t == nullptr) fail(ParseErrorKind::wrongType, n, key, "must be a table");
    return *t;
  }

  std::string nonEmptyString(const toml::node& n, const std::string& key, std::string_view what) const {
    if (!n.is_string()) fail(ParseErrorKind::wrongType, n, key, "must be " + std::string(what));
    const std::string& s = n.as_string()->get();
    if (s.find_first_not_of(" \t") == std::string::npos) fail(ParseErrorKind::malformedValue, n, key, "must not be empty");
    return s;
  }

  std::vector<std::string> names(const toml::node& n, const std::string& key) const {
    const toml::array* arr = n.as_array();
    if (arr == nullptr) fail(ParseErrorKind::wrongType, n, key, "must be a list of package names, e.g. [\"Plots\"]");
    std::vector<std::string> out;
    for (const toml::node& el : *arr) out.push_back(nonEmptyString(el, key, "a list of package names (strings)"));
    return out;
  }

  // julia-vscode accepts one relative path or a list of them, relative to the project folder.
  std::vector<std::filesystem::path> paths(const toml::node& n, const std::string& key) const {
    std::vector<std::string> raw;
    if (n.is_string()) {
      raw.push_back(nonEmptyString(n, key, "a path or a list of paths"));
    } else if (const toml::array* arr = n.as_array()) {
      for (const toml::node& el : *arr) raw.push_back(nonEmptyString(el, key, "a path or a list of paths (strings)"));
    } else {
      fail(ParseErrorKind::wrongType, n, key, "must be a path or a list of paths");
    }
    std::vector<std::filesystem::path> out;
    for (const std::string& s : raw) {
      const std::filesystem::path p(s);
      out.push_back((p.is_absolute() ? p : root_ / p).lexically_normal());
    }
    return out;
  }

  void readSysimage(const toml::table& t) {
    for (auto&& [k, v] : t) {
      const std::string key = "sysimage." + std::string(k.str());
      if (k == "exclude") {
        out_.exclude = names(v, key);
      } else if (k == "statements_files") {
        out_.statementsFiles = paths(v, key);
      } else if (k == "execution_files") {
        out_.executionFiles = paths(v, key);
      } else {
        warn(v, "unknown key `" + key + "` (known: exclude, statements_files, execution_files)");
      }
    }
  }

  void readServer(const toml::table& t) {
    for (auto&& [k, v] : t) {
      const std::string key = "sysimage-server." + std::string(k.str());
      if (k == "suggest_rebuild_after_statements") {
        if (!v.is_integer()) fail(ParseErrorKind::wrongType, v, key, "must be an integer >= 0");
        const std::int64_t n = v.as_integer()->get();
        if (n < 0) fail(ParseErrorKind::malformedValue, v, key, "must be >= 0 (0 turns the suggestion off), got " + std::to_string(n));
        out_.suggestRebuildAfterStatements = n;
      } else if (k == "cpu_target") {
        std::string target = nonEmptyString(v, key, "a string: \"native\", \"portable\" or a Julia --cpu-target value");
        if (target.find_first_of(" \t\r\n") != std::string::npos) {
          fail(ParseErrorKind::malformedValue, v, key, "must not contain blanks: \"" + target + "\"");
        }
        out_.cpuTarget = std::move(target);
      } else if (k == "packages") {
        out_.packages = names(v, key);
      } else if (k == "exclude_non_portable_statements") {
        if (!v.is_boolean()) fail(ParseErrorKind::wrongType, v, key, "must be true or false");
        out_.excludeNonPortableStatements = v.as_boolean()->get();
      } else if (k == "import_into_main") {
        if (!v.is_boolean()) fail(ParseErrorKind::wrongType, v, key, "must be true or false");
        out_.importIntoMain = v.as_boolean()->get();
      } else if (k == "backend") {
        if (!v.is_string()) fail(ParseErrorKind::wrongType, v, key, "must be \"auto\", \"native\" or \"packagecompiler\"");
        const auto b = buildBackendFromString(v.as_string()->get());
        if (!b) fail(ParseErrorKind::malformedValue, v, key, "must be \"auto\", \"native\" or \"packagecompiler\", got \"" + v.as_string()->get() + "\"");
        out_.backend = *b;
      } else {
        warn(v, "unknown key `" + key +
                    "` (known: suggest_rebuild_after_statements, cpu_target, packages, "
                    "exclude_non_portable_statements, backend, import_into_main)");
      }
    }
  }

  void read(const toml::table& root) {
    for (auto&& [k, v] : root) {
      if (k == "sysimage") {
        readSysimage(table(v, "sysimage"));
      } else if (k == "sysimage-server") {
        readServer(table(v, "sysimage-server"));
      } else {
        warn(v, "unknown key `" + std::string(k.str()) + "` (known tables: [sysimage], [sysimage-server])");
      }
    }
  }

 private:
  const std::filesystem::path& file_;
  const std::filesystem::path& root_;
  SysimageConfig& out_;
};

}  // namespace

SysimageConfig parseSysimageConfig(std::string_view text, const std::filesystem::path& file,
                                   const std::filesystem::path& projectRoot) {
  toml::table root = parseTomlText(text, file);
  SysimageConfig config;
  config.file = file;
  ConfigReader(file, projectRoot, config).read(root);
  return config;
}

SysimageConfig loadSysimageConfig(const std::filesystem::path& projectRoot) {
  const std::optional<std::filesystem::path> file = findSysimageConfig(projectRoot);
  if (!file) return SysimageConfig{};
  std::ifstream in(*file, std::ios::binary);
  if (!in) throw ParseError(ParseErrorKind::io, *file, 0, 0, "", "cannot open file");
  std::ostringstream buf;
  buf << in.rdbuf();
  return parseSysimageConfig(buf.str(), *file, projectRoot);
}

}  // namespace sysimage::core
