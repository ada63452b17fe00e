// file:// URI <-> path conversion.
#include <gtest/gtest.h>

#include "sysimage/protocol/uri.h"

namespace sysimage::protocol {
namespace {

TEST(UriToPath, DecodesPercentEscapes) {
  EXPECT_EQ(uriToPath("file:///a%20b/c"), "/a b/c");
  EXPECT_EQ(uriToPath("file:///home/u/My%20Project/Project.toml"), "/home/u/My Project/Project.toml");
  EXPECT_EQ(uriToPath("file:///caf%C3%A9"), "/café");
  EXPECT_EQ(uriToPath("file:///caf%c3%a9"), "/café");  // lower-case hex
  EXPECT_EQ(uriToPath("file:///a%2Fb"), "/a/b");
  EXPECT_EQ(uriToPath("file:///100%25"), "/100%");
}

TEST(UriToPath, AcceptsSchemeCaseAndLocalhost) {
  EXPECT_EQ(uriToPath("FILE:///x"), "/x");
  EXPECT_EQ(uriToPath("File:///x"), "/x");
  EXPECT_EQ(uriToPath("file://localhost/x/y"), "/x/y");
  EXPECT_EQ(uriToPath("file:///"), "/");
}

TEST(UriToPath, PlainAbsolutePathIsReturnedUnchanged) {
  EXPECT_EQ(uriToPath("/a b/%20"), "/a b/%20");
}

TEST(UriToPath, DropsQueryAndFragment) {
  EXPECT_EQ(uriToPath("file:///a/b?x=1"), "/a/b");
  EXPECT_EQ(uriToPath("file:///a/b#frag"), "/a/b");
  EXPECT_EQ(uriToPath("file:///a%3Fb"), "/a?b");  // an escaped '?' is part of the path
}

TEST(UriToPath, RejectsOtherSchemesHostsAndBadEscapes) {
  EXPECT_EQ(uriToPath("http://example.com/x"), std::nullopt);
  EXPECT_EQ(uriToPath("untitled:Untitled-1"), std::nullopt);
  EXPECT_EQ(uriToPath("file://server/share/x"), std::nullopt);
  EXPECT_EQ(uriToPath("file://"), std::nullopt);
  EXPECT_EQ(uriToPath("file:"), std::nullopt);
  EXPECT_EQ(uriToPath(""), std::nullopt);
  EXPECT_EQ(uriToPath("relative/path"), std::nullopt);
  EXPECT_EQ(uriToPath("file:///bad%2"), std::nullopt);
  EXPECT_EQ(uriToPath("file:///bad%"), std::nullopt);
  EXPECT_EQ(uriToPath("file:///bad%zz"), std::nullopt);
  EXPECT_EQ(uriToPath("file:///bad%g0"), std::nullopt);
}

TEST(UriToPath, RejectsAnEncodedNul) {
  // A NUL cannot be part of a path; passed on, it would silently cut the path short.
  EXPECT_EQ(uriToPath("file:///etc/passwd%00.toml"), std::nullopt);
}

TEST(PathToUri, EncodesEverythingButUnreservedAndSlash) {
  EXPECT_EQ(pathToUri("/a b/c"), "file:///a%20b/c");
  EXPECT_EQ(pathToUri("/a-b_c.d~e/F9"), "file:///a-b_c.d~e/F9");
  EXPECT_EQ(pathToUri("/café"), "file:///caf%C3%A9");
  EXPECT_EQ(pathToUri("/a#b?c%d"), "file:///a%23b%3Fc%25d");
  EXPECT_EQ(pathToUri("/"), "file:///");
}

TEST(PathToUri, RoundTrips) {
  for (const char* path : {"/", "/a b/c", "/x/Project.toml", "/ü/ß/日本", "/a%20b", "/q?x#y", "/tab\there", "/+,;=@:$&'()*!"}) {
    EXPECT_EQ(uriToPath(pathToUri(path)), path) << path;
  }
}

}  // namespace
}  // namespace sysimage::protocol
