// Tests for FNV-1a 64 and its text forms (server/core/hash.h).
#include "server/core/hash.h"

#include <gtest/gtest.h>

namespace sysimage::core {
namespace {

TEST(Hash, Fnv1a64ReferenceVectors) {
  EXPECT_EQ(hashBytes(""), "fnv1a64:cbf29ce484222325");  // from the FNV reference test suite
  EXPECT_EQ(hashBytes("a"), "fnv1a64:af63dc4c8601ec8c");
  EXPECT_EQ(hashBytes("foobar"), "fnv1a64:85944171f73967e8");
  EXPECT_EQ(fnv1a64("foobar"), 0x85944171f73967e8ULL);
}

TEST(Hash, StreamingEqualsOneShot) {
  Fnv1a64 h;
  h.update("foo");
  h.update("bar");
  EXPECT_EQ(h.value(), fnv1a64("foobar"));
  EXPECT_EQ(h.hex(), "fnv1a64:85944171f73967e8");
  Fnv1a64 bytes, word;
  bytes.update(std::string_view("\x01\x00\x00\x00\x00\x00\x00\x00", 8));
  word.updateU64(1);  // little endian
  EXPECT_EQ(word.value(), bytes.value());
}

TEST(Hash, Hex16IsZeroPaddedLowerCase) {
  EXPECT_EQ(hex16(0), "0000000000000000");
  EXPECT_EQ(hex16(0xdeadbeefULL), "00000000deadbeef");
  EXPECT_EQ(hex16(~0ULL), "ffffffffffffffff");
  EXPECT_EQ(hashText(0xabcULL), "fnv1a64:0000000000000abc");
}

}  // namespace
}  // namespace sysimage::core
