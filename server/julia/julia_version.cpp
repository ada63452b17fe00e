// Julia version parsing and ordering.
#include "server/julia/julia_version.h"

#include <charconv>

namespace sysimage::julia {
namespace {
bool readInt(std::string_view& s, int& out) {
  const auto [ptr, ec] = std::from_chars(s.data(), s.data() + s.size(), out);
  if (ec != std::errc() || ptr == s.data()) return false;
  s.remove_prefix(static_cast<std::size_t>(ptr - s.data()));
  return true;
}
}  // namespace

std::optional<JuliaVersion> JuliaVersion::parse(std::string_view text) {
  JuliaVersion v;
  v.text = std::string(text);
  std::string_view s = text;
  if (!s.empty() && s.front() == 'v') s.remove_prefix(1);
  if (!readInt(s, v.major) || s.empty() || s.front() != '.') return std::nullopt;
  s.remove_prefix(1);
  if (!readInt(s, v.minor)) return std::nullopt;
  if (!s.empty() && s.front() == '.') {
    s.remove_prefix(1);
    if (!readInt(s, v.patch)) return std::nullopt;
  }
  if (!s.empty() && s.front() == '-') {
    s.remove_prefix(1);
    const auto plus = s.find('+');
    v.prerelease = std::string(s.substr(0, plus));
    s = plus == std::string_view::npos ? std::string_view{} : s.substr(plus);
  }
  if (!s.empty() && s.front() != '+') return std::nullopt;
  return v;
}

std::strong_ordering JuliaVersion::operator<=>(const JuliaVersion& o) const {
  if (auto c = major <=> o.major; c != 0) return c;
  if (auto c = minor <=> o.minor; c != 0) return c;
  if (auto c = patch <=> o.patch; c != 0) return c;
  if (prerelease.empty() != o.prerelease.empty()) {
    return prerelease.empty() ? std::strong_ordering::greater : std::strong_ordering::less;
  }
  return prerelease.compare(o.prerelease) <=> 0;
}

}  // namespace sysimage::julia
