// Image metadata: reading and writing the sysimage's JSON sidecar, and hashing dev'd package sources.
#include "server/core/image_metadata.h"

#include <algorithm>
#include <array>
#include <cstdio>
#include <deque>
#include <fstream>
#include <nlohmann/json.hpp>
#include <set>
#include <sstream>
#include <system_error>

#include "server/core/hash.h"
#include "server/platform/atomic_file.h"

namespace sysimage::core {

using nlohmann::json;

std::filesystem::path metadataPathFor(const std::filesystem::path& sysimage) {
  std::filesystem::path p = sysimage;
  p += ".json";
  return p;
}

// ---------------------------------------------------------------------------------------------------------
// JSON

std::string serializeImageMetadata(const ImageMetadata& m) {
  json packages = json::object();
  for (const ImagePackage& p : m.packages) {
    json entry = {{"name", p.name}, {"source", std::string(toString(p.source))}};
    if (p.version) entry["version"] = *p.version;
    if (p.treeHash) entry["treeHash"] = *p.treeHash;
    if (p.sourceHash) entry["sourceHash"] = *p.sourceHash;
    packages[p.uuid] = std::move(entry);
  }
  json j = {
      {"formatVersion", ImageMetadata::kFormatVersion},
      {"juliaVersion", m.juliaVersion},
      {"juliaPath", m.juliaPath.string()},
      {"cpuTarget", m.cpuTarget},
      {"backend", m.backend},
      {"packages", std::move(packages)},
      {"manifestHash", m.manifestHash},
      {"statementCount", m.statementCount},
      {"statementSetHash", m.statementSetHash},
      {"builtAt", formatIsoUtc(m.builtAt)},
      {"buildSeconds", m.buildSeconds},
  };
  if (!m.cpuName.empty()) j["cpuName"] = m.cpuName;
  return j.dump(2) + "\n";
}

namespace {

class SidecarReader {
 public:
  explicit SidecarReader(const std::filesystem::path& file) : file_(file) {}

  [[noreturn]] void fail(ParseErrorKind kind, const std::string& key, const std::string& msg) const {
    throw ParseError(kind, file_, 0, 0, key, msg);
  }

  const json& field(const json& obj, const char* name, const std::string& prefix) const {
    const auto it = obj.find(name);
    if (it == obj.end()) fail(ParseErrorKind::missingField, prefix + name, std::string("missing field `") + prefix + name + "`");
    return *it;
  }

  std::string string(const json& obj, const char* name, const std::string& prefix = "") const {
    const json& v = field(obj, name, prefix);
    if (!v.is_string()) fail(ParseErrorKind::wrongType, prefix + name, std::string("`") + prefix + name + "` must be a string");
    return v.get<std::string>();
  }

  std::optional<std::string> optString(const json& obj, const char* name, const std::string& prefix) const {
    if (!obj.contains(name)) return std::nullopt;
    return string(obj, name, prefix);
  }

  ImageMetadata read(std::string_view text) const {
    json j;
    try {
      j = json::parse(text.begin(), text.end());
    } catch (const json::parse_error& e) {
      // e.byte is the 1-based offset of the offending byte; turn it into line and column.
      int line = 1, column = 1;
      for (std::size_t i = 0; i + 1 < e.byte && i < text.size(); ++i) {
        if (text[i] == '\n') {
          ++line;
          column = 1;
        } else {
          ++column;
        }
      }
      throw ParseError(ParseErrorKind::syntax, file_, line, column, "", "garbled sidecar JSON: " + std::string(e.what()));
    }
    if (!j.is_object()) fail(ParseErrorKind::wrongType, "", "the sidecar must be a JSON object");
    const json& fv = field(j, "formatVersion", "");
    if (!fv.is_number_integer()) fail(ParseErrorKind::wrongType, "formatVersion", "`formatVersion` must be an integer");
    if (fv.get<std::int64_t>() != ImageMetadata::kFormatVersion) {
      fail(ParseErrorKind::unsupportedVersion, "formatVersion",
           "unsupported sidecar formatVersion " + fv.dump() + " (this server reads " +
               std::to_string(ImageMetadata::kFormatVersion) + ")");
    }
    ImageMetadata m;
    m.juliaVersion = string(j, "juliaVersion");
    m.juliaPath = string(j, "juliaPath");
    m.cpuTarget = string(j, "cpuTarget");
    if (auto it = j.find("cpuName"); it != j.end() && it->is_string()) m.cpuName = it->get<std::string>();
    m.backend = string(j, "backend");
    m.manifestHash = string(j, "manifestHash");
    m.statementSetHash = string(j, "statementSetHash");
    const json& count = field(j, "statementCount", "");
    if (!count.is_number_unsigned()) fail(ParseErrorKind::wrongType, "statementCount", "`statementCount` must be an integer >= 0");
    m.statementCount = count.get<std::uint64_t>();
    const std::string builtAt = string(j, "builtAt");
    const auto t = parseIsoUtc(builtAt);
    if (!t) fail(ParseErrorKind::malformedValue, "builtAt", "`builtAt` is not an ISO 8601 UTC time: \"" + builtAt + "\"");
    m.builtAt = *t;
    const json& secs = field(j, "buildSeconds", "");
    if (!secs.is_number()) fail(ParseErrorKind::wrongType, "buildSeconds", "`buildSeconds` must be a number");
    m.buildSeconds = secs.get<double>();
    if (m.buildSeconds < 0) fail(ParseErrorKind::malformedValue, "buildSeconds", "`buildSeconds` must be >= 0");

    const json& pkgs = field(j, "packages", "");
    if (!pkgs.is_object()) fail(ParseErrorKind::wrongType, "packages", "`packages` must be an object keyed by UUID");
    for (const auto& [uuid, p] : pkgs.items()) {
      const std::string prefix = "packages." + uuid + ".";
      if (!isUuid(uuid)) fail(ParseErrorKind::malformedUuid, "packages." + uuid, "package key \"" + uuid + "\" is not a UUID");
      if (!p.is_object()) fail(ParseErrorKind::wrongType, "packages." + uuid, "each package must be an object");
      ImagePackage ip;
      ip.uuid = uuid;
      std::transform(ip.uuid.begin(), ip.uuid.end(), ip.uuid.begin(),
                     [](char c) { return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c; });
      ip.name = string(p, "name", prefix);
      const std::string source = string(p, "source", prefix);
      const auto kind = sourceKindFromString(source);
      if (!kind) fail(ParseErrorKind::malformedValue, prefix + "source", "unknown package source \"" + source + "\"");
      ip.source = *kind;
      ip.version = optString(p, "version", prefix);
      ip.treeHash = optString(p, "treeHash", prefix);
      ip.sourceHash = optString(p, "sourceHash", prefix);
      m.packages.push_back(std::move(ip));
    }
    std::sort(m.packages.begin(), m.packages.end(), [](const ImagePackage& a, const ImagePackage& b) {
      return a.name != b.name ? a.name < b.name : a.uuid < b.uuid;
    });
    return m;
  }

 private:
  const std::filesystem::path& file_;
};

}  // namespace

ImageMetadata parseImageMetadata(std::string_view text, const std::filesystem::path& file) {
  return SidecarReader(file).read(text);
}

ImageMetadata readImageMetadata(const std::filesystem::path& file) {
  std::ifstream in(file, std::ios::binary);
  if (!in) throw ParseError(ParseErrorKind::io, file, 0, 0, "", "cannot open sysimage metadata");
  std::ostringstream buf;
  buf << in.rdbuf();
  if (in.bad()) throw ParseError(ParseErrorKind::io, file, 0, 0, "", "cannot read sysimage metadata");
  return parseImageMetadata(buf.str(), file);
}

void writeImageMetadata(const std::filesystem::path& file, const ImageMetadata& metadata) {
  platform::atomicWriteFile(file, serializeImageMetadata(metadata));
}

// ---------------------------------------------------------------------------------------------------------
// Source hashes and package lists

std::string hashSourceTree(const std::filesystem::path& dir) {
  namespace fs = std::filesystem;
  if (!fs::is_directory(dir)) {
    throw fs::filesystem_error("not a directory", dir, std::make_error_code(std::errc::not_a_directory));
  }
  std::vector<std::pair<std::string, fs::path>> files;
  for (fs::recursive_directory_iterator it(dir), end; it != end; ++it) {
    if (it->is_regular_file()) files.emplace_back(it->path().lexically_relative(dir).generic_string(), it->path());
  }
  std::sort(files.begin(), files.end());
  Fnv1a64 h;
  h.updateU64(files.size());
  std::array<char, 64 * 1024> buf{};
  for (const auto& [rel, path] : files) {
    h.updateU64(rel.size());
    h.update(rel);
    std::ifstream in(path, std::ios::binary);
    if (!in) throw fs::filesystem_error("cannot read", path, std::make_error_code(std::errc::permission_denied));
    h.updateU64(fs::file_size(path));
    while (in) {
      in.read(buf.data(), buf.size());
      h.update(std::string_view(buf.data(), static_cast<std::size_t>(in.gcount())));
    }
    if (in.bad()) throw fs::filesystem_error("cannot read", path, std::make_error_code(std::errc::io_error));
  }
  return h.hex();
}

DevSourceHashes hashDevSources(const Manifest& manifest) {
  DevSourceHashes out;
  for (const PackageEntry& p : manifest.packages) {
    const std::optional<std::filesystem::path> dir = packageDirectory(manifest, p);
    if (!dir) continue;
    try {
      out.emplace(p.uuid, hashSourceTree(*dir / "src"));
    } catch (const std::filesystem::filesystem_error&) {
      // Unreadable sources stay out of the map and therefore compare as changed.
    }
  }
  return out;
}

ImagePackage imagePackageFrom(const PackageEntry& entry, const DevSourceHashes& devHashes) {
  ImagePackage p;
  p.uuid = entry.uuid;
  p.name = entry.name;
  p.version = entry.version;
  p.source = entry.sourceKind();
  p.treeHash = entry.treeHash;
  if (p.source == SourceKind::path) {
    if (const auto it = devHashes.find(entry.uuid); it != devHashes.end()) p.sourceHash = it->second;
  }
  return p;
}

std::vector<ImagePackage> imagePackagesFor(const Manifest& manifest, const std::vector<std::string>& rootNames,
                                           const DevSourceHashes& devHashes) {
  std::map<std::string, const PackageEntry*> byUuid;
  for (const PackageEntry& p : manifest.packages) byUuid.emplace(p.uuid, &p);
  std::set<std::string> seen;
  std::deque<const PackageEntry*> queue;
  for (const std::string& name : rootNames) {
    for (const PackageEntry* p : manifest.findByName(name)) {
      if (seen.insert(p->uuid).second) queue.push_back(p);
    }
  }
  std::vector<ImagePackage> out;
  while (!queue.empty()) {
    const PackageEntry* p = queue.front();
    queue.pop_front();
    out.push_back(imagePackageFrom(*p, devHashes));
    for (const Dependency& d : p->deps) {
      const auto it = byUuid.find(d.uuid);
      if (it != byUuid.end() && seen.insert(d.uuid).second) queue.push_back(it->second);
    }
  }
  std::sort(out.begin(), out.end(), [](const ImagePackage& a, const ImagePackage& b) {
    return a.name != b.name ? a.name < b.name : a.uuid < b.uuid;
  });
  return out;
}

}  // namespace sysimage::core
