// UTC time stamps: ISO 8601 for sidecars and the protocol, compact for file names and build ids.
#include "server/core/utc_time.h"

#include <array>
#include <cstdio>

namespace sysimage::core {

namespace {

// `t` in UTC through `format`, which takes year, month, day, hours, minutes, seconds in that order.
std::string formatUtc(std::chrono::system_clock::time_point t, const char* format) {
  using namespace std::chrono;
  const auto secs = floor<seconds>(t);
  const auto days = floor<std::chrono::days>(secs);
  const year_month_day ymd{days};
  const hh_mm_ss hms{secs - days};
  std::array<char, 32> buf{};
  std::snprintf(buf.data(), buf.size(), format, static_cast<int>(ymd.year()), static_cast<unsigned>(ymd.month()),
                static_cast<unsigned>(ymd.day()), static_cast<int>(hms.hours().count()),
                static_cast<int>(hms.minutes().count()), static_cast<int>(hms.seconds().count()));
  return buf.data();
}

}  // namespace

std::string formatIsoUtc(std::chrono::system_clock::time_point t) { return formatUtc(t, "%04d-%02u-%02uT%02d:%02d:%02dZ"); }

std::optional<std::chrono::system_clock::time_point> parseIsoUtc(std::string_view s) {
  using namespace std::chrono;
  // "YYYY-MM-DDTHH:MM:SS" + optional ".fraction" + "Z"
  if (s.size() < 20) return std::nullopt;
  const auto num = [&](std::size_t pos, std::size_t len, int& out) {
    out = 0;
    for (std::size_t i = pos; i < pos + len; ++i) {
      if (s[i] < '0' || s[i] > '9') return false;
      out = out * 10 + (s[i] - '0');
    }
    return true;
  };
  int y = 0, mo = 0, d = 0, h = 0, mi = 0, se = 0;
  if (!num(0, 4, y) || s[4] != '-' || !num(5, 2, mo) || s[7] != '-' || !num(8, 2, d) || (s[10] != 'T' && s[10] != 't') ||
      !num(11, 2, h) || s[13] != ':' || !num(14, 2, mi) || s[16] != ':' || !num(17, 2, se)) {
    return std::nullopt;
  }
  std::size_t i = 19;
  if (s[i] == '.') {
    ++i;
    const std::size_t start = i;
    while (i < s.size() && s[i] >= '0' && s[i] <= '9') ++i;
    if (i == start) return std::nullopt;
  }
  if (i + 1 != s.size() || (s[i] != 'Z' && s[i] != 'z')) return std::nullopt;
  const year_month_day ymd{year{y}, month{static_cast<unsigned>(mo)}, day{static_cast<unsigned>(d)}};
  if (!ymd.ok() || h > 23 || mi > 59 || se > 59) return std::nullopt;
  return sys_days{ymd} + hours{h} + minutes{mi} + seconds{se};
}

std::string compactUtcStamp(std::chrono::system_clock::time_point t) { return formatUtc(t, "%04d%02u%02uT%02d%02d%02dZ"); }

}  // namespace sysimage::core
