// Tests for the UTC time stamps (server/core/utc_time.h): ISO 8601 both ways and the compact file-name form.
#include "server/core/utc_time.h"

#include <gtest/gtest.h>

namespace sysimage::core {
namespace {

using namespace std::chrono_literals;

std::chrono::system_clock::time_point at(int y, unsigned mo, unsigned d, int h, int mi, int s) {
  using namespace std::chrono;
  return sys_days{year{y} / month{mo} / day{d}} + hours{h} + minutes{mi} + seconds{s};
}

TEST(UtcTime, FormatsAndParsesIso8601) {
  EXPECT_EQ(formatIsoUtc(at(2025, 3, 1, 14, 5, 9)), "2025-03-01T14:05:09Z");
  EXPECT_EQ(formatIsoUtc(std::chrono::system_clock::time_point{}), "1970-01-01T00:00:00Z");
  EXPECT_EQ(formatIsoUtc(at(2024, 2, 29, 23, 59, 59) + 999ms), "2024-02-29T23:59:59Z");
  EXPECT_EQ(parseIsoUtc("2025-03-01T14:05:09Z"), at(2025, 3, 1, 14, 5, 9));
  EXPECT_EQ(parseIsoUtc("2025-03-01T14:05:09.750Z"), at(2025, 3, 1, 14, 5, 9));
  for (const char* bad : {"", "2025-03-01", "2025-03-01T14:05:09", "2025-02-30T00:00:00Z", "2025-03-01T24:00:00Z",
                          "2025-03-01T14:05:09+01:00", "2025-03-01T14:05:09.Z", "2025/03/01T14:05:09Z"}) {
    EXPECT_EQ(parseIsoUtc(bad), std::nullopt) << bad;
  }
}

TEST(UtcTime, CompactStampSortsLikeTime) {
  EXPECT_EQ(compactUtcStamp(at(2026, 1, 21, 10, 15, 0)), "20260121T101500Z");
  EXPECT_EQ(compactUtcStamp(at(2024, 2, 29, 23, 59, 59) + 999ms), "20240229T235959Z");
  EXPECT_LT(compactUtcStamp(at(2025, 12, 31, 23, 59, 59)), compactUtcStamp(at(2026, 1, 1, 0, 0, 0)));
  EXPECT_EQ(compactUtcStamp().size(), 16u);
}

}  // namespace
}  // namespace sysimage::core
