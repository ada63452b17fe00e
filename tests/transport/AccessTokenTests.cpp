// AccessToken: generated tokens, tokens read from files, and the comparison.
#include <gtest/gtest.h>

#include <set>
#include <string>

#include "server/transport/access_token.h"

namespace sysimage::transport {
namespace {

TEST(AccessToken, GeneratedTokensAre64HexDigitsAndDiffer) {
  std::set<std::string> seen;
  for (int i = 0; i < 16; ++i) {
    const auto token = AccessToken::generate();
    EXPECT_EQ(token.text().size(), 64u);
    EXPECT_EQ(token.text().find_first_not_of("0123456789abcdef"), std::string::npos) << token.text();
    seen.insert(token.text());
  }
  EXPECT_EQ(seen.size(), 16u);
}

TEST(AccessToken, MatchesOnlyTheSameText) {
  const auto token = AccessToken::generate();
  const std::string text = token.text();
  EXPECT_TRUE(token.matches(text));
  std::string lastDiffers = text;
  lastDiffers.back() = lastDiffers.back() == '0' ? '1' : '0';
  EXPECT_FALSE(token.matches(lastDiffers));
  std::string firstDiffers = text;
  firstDiffers.front() = firstDiffers.front() == '0' ? '1' : '0';
  EXPECT_FALSE(token.matches(firstDiffers));
  EXPECT_FALSE(token.matches(text.substr(0, 63)));
  EXPECT_FALSE(token.matches(text + "0"));
  EXPECT_FALSE(token.matches(""));
  EXPECT_FALSE(token.matches(std::string(64, '\0')));
}

TEST(AccessToken, FromTextTrimsWhitespace) {
  const std::string text = "Abc-_.~0123456789abcdefghijklmnopqrstuv";
  const auto token = AccessToken::fromText("  " + text + "\n");
  EXPECT_EQ(token.text(), text);
  EXPECT_TRUE(token.matches(text));
}

TEST(AccessToken, FromTextRefusesShortOrOddTokensWithoutEchoingThem) {
  try {
    AccessToken::fromText("secret-but-short");
    FAIL() << "a 16-character token was accepted";
  } catch (const AccessTokenError& e) {
    EXPECT_NE(std::string(e.what()).find("at least 32"), std::string::npos) << e.what();
    EXPECT_EQ(std::string(e.what()).find("secret-but-short"), std::string::npos) << e.what();
  }
  const std::string spaced = "0123456789abcdef 0123456789abcdef";
  try {
    AccessToken::fromText(spaced);
    FAIL() << "a token with a space inside was accepted";
  } catch (const AccessTokenError& e) {
    EXPECT_EQ(std::string(e.what()).find("0123456789abcdef"), std::string::npos) << e.what();
  }
  EXPECT_THROW(AccessToken::fromText(""), AccessTokenError);
  EXPECT_THROW(AccessToken::fromText(std::string(40, 'a') + "?token"), AccessTokenError);
}

}  // namespace
}  // namespace sysimage::transport
