// Julia version numbers ("1.5.3", "1.13.0-rc3", "1.12.0-DEV.123") and their ordering.
#pragma once

#include <compare>
#include <optional>
#include <string>
#include <string_view>

namespace sysimage::julia {

/// A parsed VersionNumber; `prerelease` holds what follows '-' (empty for releases).
struct JuliaVersion {
  int major = 0, minor = 0, patch = 0;
  std::string prerelease;
  std::string text;  ///< as given, e.g. "1.5.3"

  /// Parses "MAJOR.MINOR[.PATCH][-PRE][+BUILD]". Returns nullopt for anything else.
  static std::optional<JuliaVersion> parse(std::string_view text);
  /// "1.5" — the environment name suffix (`@v1.5`) and Manifest-v1.5.toml selection.
  std::string majorMinor() const { return std::to_string(major) + "." + std::to_string(minor); }
  /// Compares major, minor, patch (a pre-release sorts before its release).
  std::strong_ordering operator<=>(const JuliaVersion& other) const;
  bool operator==(const JuliaVersion& other) const { return (*this <=> other) == 0; }
};

}  // namespace sysimage::julia
