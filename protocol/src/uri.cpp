// file:// URI <-> path conversion with percent-encoding (RFC 3986 / RFC 8089).
#include "sysimage/protocol/uri.h"

#include <cctype>

namespace sysimage::protocol {
namespace {
int hexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}
}  // namespace

std::optional<std::string> uriToPath(std::string_view s) {
  if (!s.empty() && s.front() == '/') return std::string(s);
  constexpr std::string_view kScheme = "file://";
  if (s.size() < kScheme.size()) return std::nullopt;
  for (std::size_t i = 0; i < kScheme.size(); ++i) {
    if (std::tolower(static_cast<unsigned char>(s[i])) != kScheme[i]) return std::nullopt;
  }
  s.remove_prefix(kScheme.size());
  // Authority: empty or "localhost" only.
  const std::size_t slash = s.find('/');
  if (slash == std::string_view::npos) return std::nullopt;
  const std::string_view authority = s.substr(0, slash);
  if (!authority.empty() && authority != "localhost") return std::nullopt;
  s.remove_prefix(slash);
  std::string out;
  out.reserve(s.size());
  for (std::size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '%') {
      if (i + 2 >= s.size()) return std::nullopt;
      const int hi = hexValue(s[i + 1]), lo = hexValue(s[i + 2]);
      if (hi < 0 || lo < 0) return std::nullopt;
      if (hi == 0 && lo == 0) return std::nullopt;  // a NUL would silently cut the path short in every OS call
      out.push_back(static_cast<char>(hi * 16 + lo));
      i += 2;
    } else if (s[i] == '?' || s[i] == '#') {
      break;
    } else {
      out.push_back(s[i]);
    }
  }
  return out;
}

std::string pathToUri(std::string_view path) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out = "file://";
  for (unsigned char c : path) {
    if (std::isalnum(c) || c == '/' || c == '-' || c == '_' || c == '.' || c == '~') {
      out.push_back(static_cast<char>(c));
    } else {
      out.push_back('%');
      out.push_back(kHex[c >> 4]);
      out.push_back(kHex[c & 15]);
    }
  }
  return out;
}

}  // namespace sysimage::protocol
