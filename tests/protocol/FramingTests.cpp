// FrameParser on well-formed streams: any chunking of the input (down to one byte at a time, and
// every split point of a two-chunk feed) gives the same frames; frameMessage round-trips.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "sysimage/protocol/framing.h"

namespace sysimage::protocol {
namespace {

std::vector<std::string> bodies() {
  return {
      R"({"jsonrpc":"2.0","id":1,"method":"initialize","params":{"processId":null,"capabilities":{}}})",
      R"({"jsonrpc":"2.0","method":"initialized","params":{}})",
      "",  // zero-length body
      R"({"jsonrpc":"2.0","id":"é\r\n\r\nContent-Length: 3\r\n\r\n","method":"x"})",  // header-like text in a body
      std::string(70000, 'x'),                                                        // larger than one read
  };
}

std::string stream() {
  std::string s;
  const auto b = bodies();
  s += frameMessage(b[0]);
  s += "Content-Length: " + std::to_string(b[1].size()) + "\r\nContent-Type: application/vscode-jsonrpc; charset=utf-8\r\n\r\n" + b[1];
  s += "content-length:" + std::to_string(b[2].size()) + "\r\n\r\n" + b[2];
  s += frameMessage(b[3]);
  s += "X-Other: 1\r\nCONTENT-LENGTH:  " + std::to_string(b[4].size()) + " \r\n\r\n" + b[4];
  return s;
}

std::vector<std::string> framesOf(const std::vector<FrameEvent>& events) {
  std::vector<std::string> out;
  for (const auto& e : events) {
    if (const auto* f = std::get_if<Frame>(&e)) {
      out.push_back(f->body);
    } else {
      ADD_FAILURE() << "unexpected frame error: " << std::get<FrameError>(e).message;
    }
  }
  return out;
}

TEST(FrameParser, WholeStreamGivesEveryFrame) {
  FrameParser parser;
  std::vector<FrameEvent> events;
  parser.feed(stream(), events);
  EXPECT_EQ(framesOf(events), bodies());
  EXPECT_EQ(parser.pendingBytes(), 0u);
  EXPECT_FALSE(parser.finish().has_value());
}

TEST(FrameParser, OneByteAtATimeGivesTheSameFrames) {
  FrameParser parser;
  std::vector<FrameEvent> events;
  const std::string s = stream();
  for (char c : s) parser.feed(std::string_view(&c, 1), events);
  EXPECT_EQ(framesOf(events), bodies());
  EXPECT_FALSE(parser.finish().has_value());
}

TEST(FrameParser, EverySplitPointGivesTheSameFrames) {
  // Two small frames so that every split (inside the header, at the CRLFs, inside the body) is tried.
  const std::string a = R"({"jsonrpc":"2.0","id":1,"method":"sysimage/ping"})";
  const std::string b = R"({"jsonrpc":"2.0","method":"exit"})";
  const std::string s = frameMessage(a) + "Content-Type: x\r\nContent-Length: " + std::to_string(b.size()) + "\r\n\r\n" + b;
  for (std::size_t split = 0; split <= s.size(); ++split) {
    FrameParser parser;
    std::vector<FrameEvent> events;
    parser.feed(std::string_view(s).substr(0, split), events);
    parser.feed(std::string_view(s).substr(split), events);
    EXPECT_EQ(framesOf(events), (std::vector<std::string>{a, b})) << "split at " << split;
    EXPECT_FALSE(parser.finish().has_value()) << "split at " << split;
  }
}

TEST(FrameParser, RandomChunkSizesGiveTheSameFrames) {
  const std::string s = stream();
  unsigned seed = 12345;
  for (int round = 0; round < 50; ++round) {
    FrameParser parser;
    std::vector<FrameEvent> events;
    std::string_view rest(s);
    while (!rest.empty()) {
      seed = seed * 1103515245u + 12345u;
      const std::size_t n = std::min<std::size_t>(rest.size(), 1 + (seed >> 16) % 9000);
      parser.feed(rest.substr(0, n), events);
      rest.remove_prefix(n);
    }
    EXPECT_EQ(framesOf(events), bodies()) << "round " << round;
  }
}

TEST(FrameParser, PendingBytesCountsAnUnfinishedFrame) {
  FrameParser parser;
  std::vector<FrameEvent> events;
  parser.feed("Content-Length: 10\r\n\r\nabc", events);
  EXPECT_TRUE(events.empty());
  EXPECT_EQ(parser.pendingBytes(), 3u);
  parser.feed("defghij", events);
  ASSERT_EQ(events.size(), 1u);
  EXPECT_EQ(std::get<Frame>(events[0]).body, "abcdefghij");
  EXPECT_EQ(parser.pendingBytes(), 0u);
}

TEST(FrameParser, OversizedBodyIsSkippedAcrossFeeds) {
  FrameParser parser(FramingLimits{16, 8 * 1024});
  std::vector<FrameEvent> events;
  parser.feed("Content-Length: 100\r\n\r\n", events);
  ASSERT_EQ(events.size(), 1u);
  EXPECT_EQ(std::get<FrameError>(events[0]).kind, FrameError::Kind::BodyTooLarge);
  for (int i = 0; i < 10; ++i) parser.feed(std::string(10, 'x'), events);
  EXPECT_EQ(parser.pendingBytes(), 0u);
  parser.feed(frameMessage("{}"), events);
  ASSERT_EQ(events.size(), 2u);
  EXPECT_EQ(std::get<Frame>(events[1]).body, "{}");
}

TEST(FrameParser, ManyFramesDoNotAccumulateBuffer) {
  FrameParser parser;
  std::vector<FrameEvent> events;
  const std::string one = frameMessage(std::string(1000, 'y'));
  for (int i = 0; i < 1000; ++i) {
    parser.feed(one.substr(0, 500), events);
    parser.feed(one.substr(500), events);
  }
  EXPECT_EQ(events.size(), 1000u);
  EXPECT_EQ(parser.pendingBytes(), 0u);
}

TEST(FrameMessage, WritesContentLengthInBytes) {
  EXPECT_EQ(frameMessage("{}"), "Content-Length: 2\r\n\r\n{}");
  EXPECT_EQ(frameMessage("\"é\""), "Content-Length: 4\r\n\r\n\"é\"");  // UTF-8 bytes, not characters
  EXPECT_EQ(frameMessage(""), "Content-Length: 0\r\n\r\n");
}

}  // namespace
}  // namespace sysimage::protocol
