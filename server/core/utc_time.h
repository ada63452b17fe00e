// UTC time stamps: ISO 8601 for sidecars and the protocol, compact for file names and build ids.
#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <string_view>

namespace sysimage::core {

/// ISO 8601 UTC with seconds, e.g. "2025-03-01T14:05:09Z" (fractions dropped).
std::string formatIsoUtc(std::chrono::system_clock::time_point t);
/// Parses "YYYY-MM-DDTHH:MM:SS[.fraction]Z" (fraction dropped); nullopt otherwise.
std::optional<std::chrono::system_clock::time_point> parseIsoUtc(std::string_view text);

/// "20260121T101500Z": UTC to the second without separators, for file names (images, trace files,
/// set-aside logs) and build ids; sorts like the time it stands for.
std::string compactUtcStamp(std::chrono::system_clock::time_point t = std::chrono::system_clock::now());

}  // namespace sysimage::core
