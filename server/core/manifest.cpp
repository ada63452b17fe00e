// Manifest model: parsing Manifest.toml (formats 1.0, 2.0, 2.1 and unknown newer ones), Julia's manifest
// file selection and version numbers.
#include "server/core/manifest.h"
#include "server/core/hash.h"
#include "server/core/toml_util.h"

#include <algorithm>
#include <fstream>
#include <set>
#include <sstream>
#include <toml++/toml.h>
#include <unordered_map>

namespace sysimage::core {

// ---------------------------------------------------------------------------------------------------------
// Errors

std::string_view toString(ParseErrorKind kind) {
  static constexpr std::string_view kNames[] = {
      "io", "syntax", "wrongType", "missingField", "malformedUuid", "malformedValue", "duplicateDependency",
      "missingDependency", "ambiguousDependency", "duplicatePackage", "unsupportedVersion"};
  const auto i = static_cast<std::size_t>(kind);
  return i < std::size(kNames) ? kNames[i] : "unknown";
}

static std::string location(const std::filesystem::path& file, int line, int column) {
  return file.string() + (line > 0 ? ":" + std::to_string(line) : "") + (line > 0 && column > 0 ? ":" + std::to_string(column) : "");
}

ParseError::ParseError(ParseErrorKind kind_, std::filesystem::path file_, int line_, int column_, std::string key_,
                       std::string message_)
    : std::runtime_error(location(file_, line_, column_) + ": " + message_), kind(kind_), file(std::move(file_)),
      line(line_), column(column_), key(std::move(key_)), message(std::move(message_)) {}

// ---------------------------------------------------------------------------------------------------------
// VersionNumber (semantics of Julia's base/version.jl)

namespace {
bool isDigit(char c) { return c >= '0' && c <= '9'; }
bool isIdentChar(char c) { return isDigit(c) || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '-'; }
int sign(int c) { return (c > 0) - (c < 0); }

bool parseNumber(std::string_view s, std::size_t& i, std::uint64_t& out) {
  const std::size_t start = i;
  for (out = 0; i < s.size() && isDigit(s[i]); ++i) {
    if (out > (UINT64_MAX - static_cast<std::uint64_t>(s[i] - '0')) / 10) return false;
    out = out * 10 + static_cast<std::uint64_t>(s[i] - '0');
  }
  return i > start;
}

// `a.b.c` identifiers; a lone separator (empty text) gives {""}.
bool splitIdents(std::string_view s, std::vector<std::string>& out) {
  if (s.empty()) return out.emplace_back(), true;
  for (std::size_t start = 0, dot = 0; dot != std::string_view::npos; start = dot + 1) {
    dot = s.find('.', start);
    const std::string_view part = s.substr(start, dot == std::string_view::npos ? s.npos : dot - start);
    if (part.empty() || !std::all_of(part.begin(), part.end(), isIdentChar)) return false;
    out.emplace_back(part);
  }
  return true;
}

// Julia's ident_cmp: numbers compare numerically and before non-empty strings; "" sorts before numbers.
int identCmp(const std::string& a, const std::string& b) {
  const auto numeric = [](const std::string& s) { return !s.empty() && std::all_of(s.begin(), s.end(), isDigit); };
  const bool an = numeric(a), bn = numeric(b);
  if (an && bn) {
    const std::string_view as = std::string_view(a).substr(std::min(a.find_first_not_of('0'), a.size()));
    const std::string_view bs = std::string_view(b).substr(std::min(b.find_first_not_of('0'), b.size()));
    return as.size() != bs.size() ? (as.size() < bs.size() ? -1 : 1) : sign(as.compare(bs));
  }
  if (an != bn) return an ? (b.empty() ? 1 : -1) : (a.empty() ? -1 : 1);
  return sign(a.compare(b));
}

int identsCmp(const std::vector<std::string>& a, const std::vector<std::string>& b) {
  for (std::size_t i = 0; i < a.size() && i < b.size(); ++i) {
    if (const int c = identCmp(a[i], b[i]); c != 0) return c;
  }
  return a.size() == b.size() ? 0 : (a.size() < b.size() ? -1 : 1);
}

int versionCmp(const VersionNumber& a, const VersionNumber& b) {
  if (a.major != b.major) return a.major < b.major ? -1 : 1;
  if (a.minor != b.minor) return a.minor < b.minor ? -1 : 1;
  if (a.patch != b.patch) return a.patch < b.patch ? -1 : 1;
  if (a.prerelease.empty() != b.prerelease.empty()) return a.prerelease.empty() ? 1 : -1;
  if (const int c = identsCmp(a.prerelease, b.prerelease); c != 0) return c;
  if (a.build.empty() != b.build.empty()) return a.build.empty() ? -1 : 1;
  return identsCmp(a.build, b.build);
}

std::string joinIdents(const std::vector<std::string>& idents) {
  std::string out;
  for (std::size_t i = 0; i < idents.size(); ++i) out += (i ? "." : "") + idents[i];
  return out;
}
}  // namespace

std::optional<VersionNumber> VersionNumber::parse(std::string_view s) {
  const std::size_t first = s.find_first_not_of(" \t\r\n"), last = s.find_last_not_of(" \t\r\n");
  s = first == s.npos ? std::string_view() : s.substr(first, last - first + 1);
  if (!s.empty() && s.front() == 'v') s.remove_prefix(1);
  VersionNumber v;
  std::size_t i = 0;
  if (!parseNumber(s, i, v.major)) return std::nullopt;
  if (i < s.size() && s[i] == '.' && !parseNumber(s, ++i, v.minor)) return std::nullopt;
  if (i < s.size() && s[i] == '.' && !parseNumber(s, ++i, v.patch)) return std::nullopt;
  const std::size_t plus = s.find('+', i);
  if (i < s.size() && s[i] == '-') {
    // A lone '-' must end the string (Julia's regex); "1.0.0-+x" is invalid.
    const std::string_view pre = s.substr(i + 1, plus == s.npos ? s.npos : plus - i - 1);
    if ((pre.empty() && plus != s.npos) || !splitIdents(pre, v.prerelease)) return std::nullopt;
    i = plus == s.npos ? s.size() : plus;
  }
  if (i < s.size() && s[i] == '+') {
    if (!splitIdents(s.substr(i + 1), v.build)) return std::nullopt;
    i = s.size();
  }
  return i == s.size() ? std::optional(v) : std::nullopt;
}

std::string VersionNumber::str() const {
  std::string out = std::to_string(major) + "." + std::to_string(minor) + "." + std::to_string(patch);
  if (!prerelease.empty()) out += "-" + joinIdents(prerelease);
  if (!build.empty()) out += "+" + joinIdents(build);
  return out;
}

std::strong_ordering operator<=>(const VersionNumber& a, const VersionNumber& b) { return versionCmp(a, b) <=> 0; }
bool operator==(const VersionNumber& a, const VersionNumber& b) { return versionCmp(a, b) == 0; }

// ---------------------------------------------------------------------------------------------------------
// Small model helpers

namespace {
constexpr std::string_view kSourceKinds[] = {"stdlib", "registry", "path", "repo"};
}

std::string_view toString(SourceKind kind) { return kSourceKinds[static_cast<std::size_t>(kind)]; }

std::optional<SourceKind> sourceKindFromString(std::string_view text) {
  const auto it = std::find(std::begin(kSourceKinds), std::end(kSourceKinds), text);
  if (it == std::end(kSourceKinds)) return std::nullopt;
  return static_cast<SourceKind>(it - std::begin(kSourceKinds));
}

SourceKind PackageEntry::sourceKind() const {
  if (path) return SourceKind::path;
  if (repoUrl) return SourceKind::repo;
  if (treeHash) return SourceKind::registry;
  return SourceKind::stdlib;
}

namespace {
std::string toLower(std::string_view s) {
  std::string out(s);
  std::transform(out.begin(), out.end(), out.begin(), [](char c) { return c >= 'A' && c <= 'Z' ? char(c - 'A' + 'a') : c; });
  return out;
}
bool isHex(char c) { return isDigit(c) || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F'); }
bool isSha1(std::string_view s) { return s.size() == 40 && std::all_of(s.begin(), s.end(), isHex); }
bool isVersion(std::string_view s) { return VersionNumber::parse(s).has_value(); }
}  // namespace

bool isUuid(std::string_view s) {
  if (s.size() != 36) return false;
  for (std::size_t i = 0; i < s.size(); ++i) {
    const bool dash = i == 8 || i == 13 || i == 18 || i == 23;
    if (dash ? s[i] != '-' : !isHex(s[i])) return false;
  }
  return true;
}

const PackageEntry* Manifest::findByUuid(std::string_view uuid) const {
  const std::string wanted = toLower(uuid);
  const auto it = std::find_if(packages.begin(), packages.end(), [&](const PackageEntry& p) { return p.uuid == wanted; });
  return it == packages.end() ? nullptr : &*it;
}

std::vector<const PackageEntry*> Manifest::findByName(std::string_view name) const {
  std::vector<const PackageEntry*> out;
  for (const PackageEntry& p : packages) {
    if (p.name == name) out.push_back(&p);
  }
  return out;
}

// ---------------------------------------------------------------------------------------------------------
// Parsing

namespace {

// One dependency field as written: a list of names or a table name -> uuid.
struct RawDeps {
  bool isList = true;
  std::vector<std::pair<std::string, std::string>> items;  // (name, uuid); uuid empty in list form
  std::vector<const toml::node*> nodes;                     // element (list) or value (table) per item
};

struct Stage1 {
  PackageEntry entry;
  RawDeps deps;
  RawDeps weakdeps;
  const toml::node* uuidNode = nullptr;
};

class ManifestReader {
 public:
  explicit ManifestReader(const std::filesystem::path& file) : file_(file) {}

  [[noreturn]] void fail(ParseErrorKind kind, const toml::node* at, const std::string& key, const std::string& msg) const {
    const toml::source_position pos = at != nullptr ? at->source().begin : toml::source_position{};
    throw ParseError(kind, file_, static_cast<int>(pos.line), static_cast<int>(pos.column), key, msg);
  }

  std::optional<std::string> optString(const toml::table& t, std::string_view field, const std::string& prefix) const {
    const toml::node* n = t.get(field);
    if (n == nullptr) return std::nullopt;
    if (!n->is_string()) fail(ParseErrorKind::wrongType, n, prefix + std::string(field), "expected field `" + std::string(field) + "` to be a string");
    return n->as_string()->get();
  }

  // An optional string that must satisfy `valid` (malformedValue otherwise).
  template <typename Valid>
  std::optional<std::string> checked(const toml::table& t, std::string_view field, const std::string& prefix, Valid valid,
                                     std::string_view what) const {
    std::optional<std::string> v = optString(t, field, prefix);
    if (v && !valid(*v)) {
      fail(ParseErrorKind::malformedValue, t.get(field), prefix + std::string(field),
           "could not parse `" + prefix + std::string(field) + "` as " + std::string(what) + ": \"" + *v + "\"");
    }
    return v;
  }

  // A required UUID field, lower-cased.
  std::string uuidField(const toml::table& t, const std::string& prefix) const {
    const std::optional<std::string> v = optString(t, "uuid", prefix);
    if (!v) fail(ParseErrorKind::missingField, &t, prefix + "uuid", "`" + prefix + "uuid` is missing");
    if (!isUuid(*v)) fail(ParseErrorKind::malformedUuid, t.get("uuid"), prefix + "uuid", "could not parse `" + prefix + "uuid` as a UUID: \"" + *v + "\"");
    return toLower(*v);
  }

  // A string or a list of strings (extension triggers, `registries`).
  std::vector<std::string> names(const toml::node& n, const std::string& key) const {
    if (n.is_string()) return {n.as_string()->get()};
    const toml::array* arr = n.as_array();
    if (arr == nullptr) fail(ParseErrorKind::wrongType, &n, key, "expected `" + key + "` to be a string or a list of strings");
    std::vector<std::string> out;
    for (const toml::node& el : *arr) {
      if (!el.is_string()) fail(ParseErrorKind::wrongType, &el, key, "expected `" + key + "` to hold strings");
      out.push_back(el.as_string()->get());
    }
    return out;
  }

  RawDeps readDeps(const toml::table& t, std::string_view field, const std::string& prefix) const {
    RawDeps out;
    const toml::node* n = t.get(field);
    if (n == nullptr) return out;
    const std::string key = prefix + std::string(field);
    if (const toml::array* arr = n->as_array()) {
      for (const toml::node& el : *arr) {
        if (!el.is_string()) fail(ParseErrorKind::wrongType, &el, key, "expected `" + std::string(field) + "` entries to be strings");
        out.items.emplace_back(el.as_string()->get(), std::string());
        out.nodes.push_back(&el);
      }
    } else if (const toml::table* tbl = n->as_table()) {
      out.isList = false;
      for (auto&& [name, value] : *tbl) {
        const std::string depKey = key + "." + std::string(name.str());
        if (!value.is_string()) fail(ParseErrorKind::wrongType, &value, depKey, "expected a UUID string");
        const std::string& uuid = value.as_string()->get();
        if (!isUuid(uuid)) fail(ParseErrorKind::malformedUuid, &value, depKey, "could not parse \"" + uuid + "\" as a UUID");
        out.items.emplace_back(std::string(name.str()), toLower(uuid));
        out.nodes.push_back(&value);
      }
    } else {
      fail(ParseErrorKind::wrongType, n, key, "expected `" + std::string(field) + "` to be a list or a table");
    }
    return out;
  }

  Stage1 readEntry(const std::string& name, const toml::table& t, const std::string& prefix) const {
    Stage1 s;
    PackageEntry& e = s.entry;
    e.name = name;
    e.line = static_cast<int>(t.source().begin.line);
    e.uuid = uuidField(t, prefix);
    s.uuidNode = t.get("uuid");
    e.version = checked(t, "version", prefix, isVersion, "a version number");
    e.treeHash = checked(t, "git-tree-sha1", prefix, isSha1, "a SHA-1");
    if (e.treeHash) e.treeHash = toLower(*e.treeHash);
    e.path = optString(t, "path", prefix);
    e.repoUrl = optString(t, "repo-url", prefix);
    e.repoRev = optString(t, "repo-rev", prefix);
    e.repoSubdir = optString(t, "repo-subdir", prefix);
    if (const toml::node* pinned = t.get("pinned")) {
      if (!pinned->is_boolean()) fail(ParseErrorKind::wrongType, pinned, prefix + "pinned", "expected field `pinned` to be a boolean");
      e.pinned = pinned->as_boolean()->get();
    }
    s.deps = readDeps(t, "deps", prefix);
    s.weakdeps = readDeps(t, "weakdeps", prefix);
    if (const toml::node* exts = t.get("extensions")) {
      const toml::table* tbl = exts->as_table();
      if (tbl == nullptr) fail(ParseErrorKind::wrongType, exts, prefix + "extensions", "expected `extensions` to be a table");
      for (auto&& [extName, triggers] : *tbl) {
        e.extensions[std::string(extName.str())] = names(triggers, prefix + "extensions." + std::string(extName.str()));
      }
    }
    if (const toml::node* regs = t.get("registries")) e.registries = names(*regs, prefix + "registries");
    return s;
  }

  // Pkg's normalize_deps + validate_manifest: turn names into UUIDs and check the graph.
  std::vector<Dependency> resolve(const Stage1& s, const RawDeps& raw, bool weak, const std::string& prefix,
                                  const std::unordered_map<std::string, std::vector<const Stage1*>>& byName,
                                  const std::unordered_map<std::string, const Stage1*>& byUuid) const {
    const std::string field = weak ? "weakdeps" : "deps";
    const std::string who = "`" + s.entry.name + "=" + s.entry.uuid + "`";
    std::vector<Dependency> out;
    std::set<std::string> seen;
    for (std::size_t i = 0; i < raw.items.size(); ++i) {
      const auto& [name, uuid] = raw.items[i];
      const toml::node* at = raw.nodes[i];
      if (raw.isList) {
        if (!seen.insert(name).second) {
          fail(ParseErrorKind::duplicateDependency, at, prefix + field, "duplicate entry `" + name + "` in " + who + "'s `" + field + "` field");
        }
        const auto it = byName.find(name);
        const std::size_t n = it == byName.end() ? 0 : it->second.size();
        if (n == 0 && !weak) {
          fail(ParseErrorKind::missingDependency, at, prefix + field, who + " depends on `" + name + "`, but no such entry exists in the manifest");
        }
        if (n > 1) {
          fail(ParseErrorKind::ambiguousDependency, at, prefix + field,
               who + "'s dependency on `" + name + "` is ambiguous: " + std::to_string(n) +
                   " entries have that name, so the table form with UUIDs is required");
        }
        out.push_back({name, n == 1 ? it->second.front()->entry.uuid : ""});  // "": weak dependency not installed
        continue;
      }
      const auto it = byUuid.find(uuid);
      if (!weak && (it == byUuid.end() || it->second->entry.name != name)) {
        fail(ParseErrorKind::missingDependency, at, prefix + field + "." + name,
             who + " depends on `" + name + "=" + uuid + "`, but " +
                 (it == byUuid.end() ? std::string("no such entry exists in the manifest")
                                     : "the entry with that UUID is named `" + it->second->entry.name + "`"));
      }
      out.push_back({name, uuid});
    }
    std::sort(out.begin(), out.end(), [](const Dependency& a, const Dependency& b) {
      return a.name != b.name ? a.name < b.name : a.uuid < b.uuid;
    });
    return out;
  }

  Manifest read(std::string_view text) const {
    Manifest m;
    m.file = file_;
    m.contentHash = hashBytes(text);
    toml::table root = parseTomlText(text, file_);

    // Pkg's is_v1_format_manifest: a string `manifest_format` means format 2+, otherwise every top-level
    // key is a package (a package may even be called manifest_format).
    const toml::table* deps = &root;
    std::string prefix;
    const toml::node* format = root.get("manifest_format");
    if (format != nullptr && format->is_string()) {
      m.manifestFormat = format->as_string()->get();
      const auto v = VersionNumber::parse(m.manifestFormat);
      if (!v) fail(ParseErrorKind::malformedValue, format, "manifest_format", "could not parse `manifest_format`: \"" + m.manifestFormat + "\"");
      if (v->major != 1 && v->major != 2) {
        m.warnings.push_back(file_.string() + ": unknown manifest format " + m.manifestFormat +
                             "; reading it like format 2.x, unexpected behavior may occur");
      }
      prefix = "deps.";
      const toml::node* d = root.get("deps");  // absent when there are no packages
      deps = d != nullptr ? d->as_table() : nullptr;
      if (d != nullptr && deps == nullptr) fail(ParseErrorKind::wrongType, d, "deps", "expected `deps` to be a table of package entries");
      m.juliaVersion = checked(root, "julia_version", "", isVersion, "a version number");
      m.projectHash = checked(root, "project_hash", "", isSha1, "a SHA-1");
      if (const toml::node* regs = root.get("registries")) {  // format 2.1: [registries.Name] uuid, url
        const toml::table* tbl = regs->as_table();
        if (tbl == nullptr) fail(ParseErrorKind::wrongType, regs, "registries", "expected `registries` to be a table");
        for (auto&& [name, info] : *tbl) {
          const std::string key = "registries." + std::string(name.str());
          if (!info.is_table()) fail(ParseErrorKind::wrongType, &info, key, "expected a registry table");
          m.registries.push_back({std::string(name.str()), uuidField(*info.as_table(), key + "."), optString(*info.as_table(), "url", key + ".")});
        }
      }
    } else if (format != nullptr && !format->is_array()) {
      fail(ParseErrorKind::wrongType, format, "manifest_format", "expected `manifest_format` to be a string");
    } else {
      m.manifestFormat = "1.0";
      m.oldFormat = true;
    }

    std::vector<Stage1> stage1;
    if (deps != nullptr) {
      for (auto&& [key, value] : *deps) {
        const std::string name(key.str());
        const toml::array* entries = value.as_array();
        if (entries == nullptr || !entries->is_array_of_tables()) {
          fail(ParseErrorKind::wrongType, &value, prefix + name, "expected `" + prefix + name + "` to be an array of tables ([[" + prefix + name + "]])");
        }
        for (const toml::node& entry : *entries) stage1.push_back(readEntry(name, *entry.as_table(), prefix + name + "."));
      }
    }

    std::unordered_map<std::string, std::vector<const Stage1*>> byName;
    std::unordered_map<std::string, const Stage1*> byUuid;
    for (const Stage1& s : stage1) {
      byName[s.entry.name].push_back(&s);
      const auto [it, inserted] = byUuid.emplace(s.entry.uuid, &s);
      if (!inserted) {
        fail(ParseErrorKind::duplicatePackage, s.uuidNode, prefix + s.entry.name + ".uuid",
             "`" + s.entry.name + "` and `" + it->second->entry.name + "` have the same UUID " + s.entry.uuid);
      }
    }
    m.packages.reserve(stage1.size());
    for (Stage1& s : stage1) {
      const std::string p = prefix + s.entry.name + ".";
      s.entry.deps = resolve(s, s.deps, false, p, byName, byUuid);
      s.entry.weakdeps = resolve(s, s.weakdeps, true, p, byName, byUuid);
    }
    for (Stage1& s : stage1) m.packages.push_back(std::move(s.entry));
    std::sort(m.packages.begin(), m.packages.end(), [](const PackageEntry& a, const PackageEntry& b) {
      return a.name != b.name ? a.name < b.name : a.uuid < b.uuid;
    });
    std::sort(m.registries.begin(), m.registries.end(),
              [](const RegistryInfo& a, const RegistryInfo& b) { return a.name < b.name; });
    return m;
  }

 private:
  const std::filesystem::path& file_;
};

std::string readWholeFile(const std::filesystem::path& file) {
  std::ifstream in(file, std::ios::binary);
  if (!in) throw ParseError(ParseErrorKind::io, file, 0, 0, "", "cannot open file");
  std::ostringstream buf;
  buf << in.rdbuf();
  if (in.bad()) throw ParseError(ParseErrorKind::io, file, 0, 0, "", "cannot read file");
  return std::move(buf).str();
}

// Julia's isfile_casesensitive: on case-insensitive file systems `manifest.toml` must not count as
// `Manifest.toml`, so the exact name has to appear in the directory listing.
bool isFileCaseSensitive(const std::filesystem::path& p) {
  std::error_code ec;
  if (!std::filesystem::is_regular_file(p, ec)) return false;
  const std::filesystem::path name = p.filename();
  for (std::filesystem::directory_iterator it(p.parent_path().empty() ? "." : p.parent_path(), ec), end;
       !ec && it != end; it.increment(ec)) {
    if (it->path().filename() == name) return true;
  }
  return false;
}

}  // namespace

Manifest parseManifest(std::string_view text, const std::filesystem::path& file) {
  return ManifestReader(file).read(text);
}

Manifest readManifest(const std::filesystem::path& file) { return parseManifest(readWholeFile(file), file); }

std::optional<std::filesystem::path> packageDirectory(const Manifest& manifest, const PackageEntry& entry) {
  if (!entry.path) return std::nullopt;
  const std::filesystem::path p(*entry.path);
  if (p.is_absolute()) return p.lexically_normal();
  return (manifest.file.parent_path() / p).lexically_normal();
}

std::vector<std::string> manifestFileNames(const VersionNumber& julia) {
  const bool versioned = julia.atLeast(1, 11) || (julia.major == 1 && julia.minor == 10 && julia.patch >= 8);
  std::vector<std::string> names;
  if (versioned) {
    const std::string mm = std::to_string(julia.major) + "." + std::to_string(julia.minor);
    names.push_back("JuliaManifest-v" + mm + ".toml");
    names.push_back("Manifest-v" + mm + ".toml");
  }
  names.emplace_back("JuliaManifest.toml");
  names.emplace_back("Manifest.toml");
  return names;
}

std::optional<std::filesystem::path> findManifest(const std::filesystem::path& projectDir, const VersionNumber& julia) {
  for (const std::string& name : manifestFileNames(julia)) {
    const std::filesystem::path candidate = projectDir / name;
    if (isFileCaseSensitive(candidate)) return candidate;
  }
  return std::nullopt;
}

}  // namespace sysimage::core
