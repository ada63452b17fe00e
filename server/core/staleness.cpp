// Staleness: the pure decision between none / upToDate / suggested / unsafe / unusable.
#include "server/core/staleness.h"

#include <algorithm>
#include <set>

namespace sysimage::core {

std::string_view toString(StalenessState state) {
  switch (state) {
    case StalenessState::none: return "none";
    case StalenessState::upToDate: return "upToDate";
    case StalenessState::suggested: return "suggested";
    case StalenessState::unsafe: return "unsafe";
    case StalenessState::unusable: return "unusable";
  }
  return "unknown";
}

namespace {

bool sameJulia(const std::string& a, const std::string& b) {
  if (a == b) return true;
  const auto va = VersionNumber::parse(a), vb = VersionNumber::parse(b);
  return va && vb && *va == *vb;
}

}  // namespace

Staleness assessStaleness(const StalenessInput& in) {
  Staleness out;
  out.newStatements = in.statementsSinceBuild;
  if (in.image == nullptr && !in.imageFileReadable) return out;  // none
  if (in.image == nullptr) {
    out.state = StalenessState::unusable;
    out.reasons.push_back("the sysimage has no readable metadata sidecar, so its contents are unknown");
    return out;
  }
  const ImageMetadata& image = *in.image;
  out.imageKey = formatIsoUtc(image.builtAt) + " " + image.manifestHash;
  if (!in.imageFileReadable) {
    out.state = StalenessState::unusable;
    out.reasons.push_back("the sysimage file is missing or unreadable");
    return out;
  }

  // Rule 2: wrong Julia or CPU target.
  if (!sameJulia(image.juliaVersion, in.juliaVersion)) {
    out.reasons.push_back("built for Julia " + image.juliaVersion + ", running Julia " + in.juliaVersion);
  }
  if (image.cpuTarget != in.cpuTarget) {
    out.reasons.push_back("built for CPU target \"" + image.cpuTarget + "\", configured \"" + in.cpuTarget + "\"");
  }
  // A "native" image holds code for the CPU it was built on only.
  if (image.cpuTarget == "native" && !image.cpuName.empty() && !in.cpuName.empty() && image.cpuName != in.cpuName) {
    out.reasons.push_back("built natively for CPU " + image.cpuName + ", this machine's CPU is " + in.cpuName);
  }
  if (!out.reasons.empty()) out.state = StalenessState::unusable;

  if (in.manifest == nullptr) {
    if (out.state != StalenessState::unusable) {
      out.state = StalenessState::unsafe;
      out.reasons.push_back("the project has no manifest to check the baked-in packages against");
    }
    return out;
  }

  // Keep what matters: changes to baked-in packages, and direct deps missing from the image.
  const std::set<std::string> direct(in.directDeps.begin(), in.directDeps.end());
  ManifestDiff full = diffManifest(*in.manifest, in.devSourceHashes, image, in.juliaVersion);
  for (PackageChange& c : full.changes) {
    if (c.kind == ChangeKind::added && direct.count(c.name) == 0) continue;
    out.diff.changes.push_back(std::move(c));
  }
  if (out.state == StalenessState::unusable) return out;

  std::vector<std::string> unsafeReasons, suggestReasons;
  for (const PackageChange& c : out.diff.changes) {
    if (c.kind == ChangeKind::added) {
      suggestReasons.push_back(c.name + " is a direct dependency but not in the sysimage");
    } else {
      unsafeReasons.push_back(c.describe());
    }
  }
  if (in.statementThreshold > 0 && in.statementsSinceBuild >= in.statementThreshold) {
    out.statementThresholdReached = true;
    suggestReasons.push_back(std::to_string(in.statementsSinceBuild) + " new precompile statements since the build");
  }
  if (!unsafeReasons.empty()) {
    out.state = StalenessState::unsafe;
  } else if (!suggestReasons.empty()) {
    out.state = StalenessState::suggested;
  } else {
    out.state = StalenessState::upToDate;
  }
  out.reasons = std::move(unsafeReasons);
  out.reasons.insert(out.reasons.end(), suggestReasons.begin(), suggestReasons.end());
  return out;
}

}  // namespace sysimage::core
