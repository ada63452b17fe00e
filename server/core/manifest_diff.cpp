// Manifest diff: comparing an image's baked-in packages with the current manifest.
#include "server/core/manifest_diff.h"

#include <algorithm>
#include <unordered_map>

namespace sysimage::core {

std::string_view toString(ChangeKind kind) {
  switch (kind) {
    case ChangeKind::added: return "added";
    case ChangeKind::removed: return "removed";
    case ChangeKind::upgraded: return "upgraded";
    case ChangeKind::downgraded: return "downgraded";
    case ChangeKind::treeHashChanged: return "treeHashChanged";
    case ChangeKind::sourceKindChanged: return "sourceKindChanged";
    case ChangeKind::devSourcesChanged: return "devSourcesChanged";
    case ChangeKind::juliaVersionChanged: return "juliaVersionChanged";
  }
  return "unknown";
}

std::string PackageChange::describe() const {
  const auto withVersion = [this](const std::optional<std::string>& v) { return v ? name + " " + *v : name; };
  switch (kind) {
    case ChangeKind::added: return withVersion(newVersion) + " added";
    case ChangeKind::removed: return name + " removed";
    case ChangeKind::upgraded:
    case ChangeKind::downgraded:
      return name + " " + oldVersion.value_or("?") + " → " + newVersion.value_or("?");
    case ChangeKind::treeHashChanged: return withVersion(newVersion) + ": different git-tree-sha1";
    case ChangeKind::sourceKindChanged:
      return name + ": " + std::string(oldSource ? toString(*oldSource) : "?") + " → " +
             std::string(newSource ? toString(*newSource) : "?");
    case ChangeKind::devSourcesChanged: return name + ": sources changed";
    case ChangeKind::juliaVersionChanged:
      return "Julia " + oldVersion.value_or("?") + " → " + newVersion.value_or("?");
  }
  return name;
}

std::string ManifestDiff::summary(std::size_t named) const {
  if (changes.empty()) return "";
  named = std::max<std::size_t>(named, 1);
  std::string out;
  const std::size_t shown = std::min(named, changes.size());
  for (std::size_t i = 0; i < shown; ++i) out += (i ? ", " : "") + changes[i].describe();
  if (changes.size() > shown) out += " and " + std::to_string(changes.size() - shown) + " more";
  return out;
}

std::vector<const PackageChange*> ManifestDiff::ofKind(ChangeKind kind) const {
  std::vector<const PackageChange*> out;
  for (const PackageChange& c : changes) {
    if (c.kind == kind) out.push_back(&c);
  }
  return out;
}

namespace {

// -1/0/+1 when both versions parse (or are textually equal); nullopt when one is missing or unparsable.
std::optional<int> compareVersions(const std::optional<std::string>& a, const std::optional<std::string>& b) {
  if (a == b) return 0;
  if (!a || !b) return std::nullopt;
  const auto va = VersionNumber::parse(*a), vb = VersionNumber::parse(*b);
  if (!va || !vb) return std::nullopt;
  if (*va == *vb) return 0;
  return *va < *vb ? -1 : 1;
}

std::optional<PackageChange> comparePackage(const ImagePackage& img, const PackageEntry& cur, const DevSourceHashes& devHashes) {
  PackageChange c;
  c.name = cur.name;
  c.uuid = cur.uuid;
  c.oldVersion = img.version;
  c.newVersion = cur.version;
  c.oldSource = img.source;
  c.newSource = cur.sourceKind();
  if (img.source != *c.newSource) {
    c.kind = ChangeKind::sourceKindChanged;
    return c;
  }
  const std::optional<int> cmp = compareVersions(img.version, cur.version);
  if (cmp && *cmp != 0) {
    c.kind = *cmp < 0 ? ChangeKind::upgraded : ChangeKind::downgraded;
    return c;
  }
  if (img.treeHash != cur.treeHash) {
    c.kind = ChangeKind::treeHashChanged;
    return c;
  }
  // A version that appeared or vanished (stdlibs got versions in Julia 1.8+ manifests) is not a change by
  // itself: content identity is the tree hash, the dev'd source hash, or for stdlibs the Julia version.
  if (img.source == SourceKind::path) {
    const auto it = devHashes.find(cur.uuid);
    if (!img.sourceHash || it == devHashes.end() || it->second != *img.sourceHash) {
      c.kind = ChangeKind::devSourcesChanged;
      return c;
    }
  }
  return std::nullopt;
}

}  // namespace

ManifestDiff diffManifest(const Manifest& current, const DevSourceHashes& devHashes, const ImageMetadata& image,
                          const std::optional<std::string>& currentJulia) {
  ManifestDiff diff;
  std::unordered_map<std::string_view, const PackageEntry*> currentByUuid;
  currentByUuid.reserve(current.packages.size());
  for (const PackageEntry& p : current.packages) currentByUuid.emplace(p.uuid, &p);
  std::unordered_map<std::string_view, const ImagePackage*> imageByUuid;
  imageByUuid.reserve(image.packages.size());
  for (const ImagePackage& p : image.packages) imageByUuid.emplace(p.uuid, &p);

  for (const ImagePackage& img : image.packages) {
    const auto it = currentByUuid.find(img.uuid);
    if (it == currentByUuid.end()) {
      diff.changes.push_back(PackageChange{.kind = ChangeKind::removed,
                                           .name = img.name,
                                           .uuid = img.uuid,
                                           .oldVersion = img.version,
                                           .newVersion = std::nullopt,
                                           .oldSource = img.source,
                                           .newSource = std::nullopt});
    } else if (auto c = comparePackage(img, *it->second, devHashes)) {
      diff.changes.push_back(std::move(*c));
    }
  }
  for (const PackageEntry& cur : current.packages) {
    if (imageByUuid.count(cur.uuid) != 0) continue;
    diff.changes.push_back(PackageChange{.kind = ChangeKind::added,
                                         .name = cur.name,
                                         .uuid = cur.uuid,
                                         .oldVersion = std::nullopt,
                                         .newVersion = cur.version,
                                         .oldSource = std::nullopt,
                                         .newSource = cur.sourceKind()});
  }
  std::sort(diff.changes.begin(), diff.changes.end(), [](const PackageChange& a, const PackageChange& b) {
    return a.name != b.name ? a.name < b.name : a.uuid < b.uuid;
  });

  if (currentJulia && compareVersions(image.juliaVersion, *currentJulia) != std::optional<int>(0)) {
    diff.changes.insert(diff.changes.begin(), PackageChange{.kind = ChangeKind::juliaVersionChanged,
                                                            .name = "julia",
                                                            .uuid = "",
                                                            .oldVersion = image.juliaVersion,
                                                            .newVersion = *currentJulia,
                                                            .oldSource = std::nullopt,
                                                            .newSource = std::nullopt});
  }
  return diff;
}

}  // namespace sysimage::core
