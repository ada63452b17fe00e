// docs/protocol.md against protocol/include/sysimage/protocol/sysimage.h: the protocol version is
// declared once in the header and the doc states the same number; every method and command the
// header declares is described in the doc, and the doc describes none the header lacks.
#include <gtest/gtest.h>

#include <fstream>
#include <regex>
#include <set>
#include <sstream>
#include <string>

#include "sysimage/protocol/sysimage.h"

namespace sysimage::protocol::sysimage {
namespace {

std::string readDoc() {
  std::ifstream in(std::string(SYSIMAGE_SOURCE_DIR) + "/docs/protocol.md");
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

std::set<std::string> matches(const std::string& text, const std::regex& pattern) {
  std::set<std::string> found;
  for (auto it = std::sregex_iterator(text.begin(), text.end(), pattern); it != std::sregex_iterator(); ++it) {
    found.insert((*it)[1].str());
  }
  return found;
}

TEST(ProtocolDoc, StatesTheHeadersProtocolVersion) {
  const std::string doc = readDoc();
  ASSERT_FALSE(doc.empty()) << "cannot read docs/protocol.md";
  std::smatch m;
  ASSERT_TRUE(std::regex_search(doc, m, std::regex(R"(Protocol version \(`capabilities\.experimental\.sysimage\.protocolVersion`\): \*\*(\d+)\*\*)")))
      << "docs/protocol.md must say \"Protocol version (`capabilities.experimental.sysimage.protocolVersion`): **N**\"";
  EXPECT_EQ(std::stoi(m[1].str()), kProtocolVersion) << "docs/protocol.md and sysimage.h disagree on the version";
}

TEST(ProtocolDoc, DescribesExactlyTheDeclaredMethodsAndCommands) {
  const std::string doc = readDoc();
  std::set<std::string> methods(std::begin(kMethods), std::end(kMethods));
  std::set<std::string> commands(std::begin(kCommands), std::end(kCommands));
  // Every method has a `### `name`` section; every command a row in the commands table.
  EXPECT_EQ(matches(doc, std::regex(R"(\n### `(sysimage/[A-Za-z]+)`)")), methods);
  EXPECT_EQ(matches(doc, std::regex(R"(\n\| `(sysimage\.[A-Za-z]+)` \|)")), commands);
  // And nothing else is named anywhere in the doc.
  EXPECT_EQ(matches(doc, std::regex(R"(`(sysimage/[A-Za-z]+))")), methods);
  EXPECT_EQ(matches(doc, std::regex(R"(`(sysimage\.[A-Za-z]+)`)")), commands);
}

}  // namespace
}  // namespace sysimage::protocol::sysimage
