// The WorkDoneProgress state machine (unsupported / creating / live / ended) against a fake Client,
// and once end to end through a Session.
#include <gtest/gtest.h>

#include <deque>

#include "server/lsp/progress.h"
#include "session_harness.h"

namespace sysimage::lsp::testing {
namespace {

/// A Client that records notifications and keeps calls pending until the test answers them.
class FakeClient : public Client {
 public:
  struct Call {
    std::string method;
    json params;
    std::function<void(ClientResponse)> onResponse;
  };
  std::vector<std::pair<std::string, json>> notifications;
  std::deque<Call> calls;
  protocol::ClientCapabilities caps;

  void notify(std::string_view method, json params) override { notifications.emplace_back(std::string(method), std::move(params)); }
  void call(std::string_view method, json params, std::function<void(ClientResponse)> onResponse,
            std::chrono::milliseconds) override {
    calls.push_back(Call{std::string(method), std::move(params), std::move(onResponse)});
  }
  const protocol::ClientCapabilities& capabilities() const override { return caps; }

  /// Answers the oldest pending call.
  void answer(std::optional<json> result, std::optional<ResponseError> error = std::nullopt) {
    ASSERT_FALSE(calls.empty());
    auto call = std::move(calls.front());
    calls.pop_front();
    call.onResponse(ClientResponse{std::move(result), std::move(error)});
  }

  /// The `value`s of the $/progress notifications sent so far (and forgets them).
  std::vector<json> takeProgress(const json& token) {
    std::vector<json> out;
    for (const auto& [method, params] : notifications) {
      EXPECT_EQ(method, "$/progress");
      EXPECT_EQ(params["token"], token);
      out.push_back(params["value"]);
    }
    notifications.clear();
    return out;
  }
};

class ProgressTest : public ::testing::Test {
 protected:
  std::shared_ptr<WorkDoneProgress> make(bool cancellable = false) {
    return std::make_shared<WorkDoneProgress>(client, "Building sysimage", cancellable,
                                              [this](const ProgressSnapshot& s) { fallback.push_back(s); });
  }
  std::shared_ptr<FakeClient> client = std::make_shared<FakeClient>();
  std::vector<ProgressSnapshot> fallback;
};

TEST_F(ProgressTest, ClientTokenIsLiveAtOnce) {
  client->caps.workDoneProgress = true;  // irrelevant: the client's token is used without asking
  auto p = make(true);
  p->start(json("client-token"), "server-1");
  EXPECT_EQ(p->state(), WorkDoneProgress::State::Live);
  EXPECT_EQ(p->token(), "client-token");
  EXPECT_TRUE(client->calls.empty());

  p->begin("resolving", 5);
  p->report("compiling", 40);
  p->end("done");
  EXPECT_EQ(p->state(), WorkDoneProgress::State::Ended);
  const auto values = client->takeProgress("client-token");
  ASSERT_EQ(values.size(), 3u);
  EXPECT_EQ(values[0], json({{"kind", "begin"}, {"title", "Building sysimage"}, {"cancellable", true},
                             {"message", "resolving"}, {"percentage", 5}}));
  EXPECT_EQ(values[1], json({{"kind", "report"}, {"message", "compiling"}, {"percentage", 40}}));
  EXPECT_EQ(values[2], json({{"kind", "end"}, {"message", "done"}}));
  EXPECT_TRUE(fallback.empty());

  // Nothing after the end.
  p->report("more", 90);
  p->end("again");
  EXPECT_TRUE(client->notifications.empty());
}

TEST_F(ProgressTest, IntegerClientToken) {
  auto p = make();
  p->start(json(17), "server-1");
  EXPECT_EQ(p->state(), WorkDoneProgress::State::Live);
  p->begin();
  EXPECT_EQ(client->takeProgress(17).size(), 1u);
}

TEST_F(ProgressTest, ServerTokenIsCreatedThenBeginReportEndFollow) {
  client->caps.workDoneProgress = true;
  auto p = make();
  p->start(std::nullopt, "server-1");
  EXPECT_EQ(p->state(), WorkDoneProgress::State::Creating);
  ASSERT_EQ(client->calls.size(), 1u);
  EXPECT_EQ(client->calls[0].method, "window/workDoneProgress/create");
  EXPECT_EQ(client->calls[0].params, json({{"token", "server-1"}}));

  // Updates while the token is being created are held back and coalesced.
  p->begin("resolving", 5);
  p->report("compiling", 20);
  EXPECT_TRUE(client->notifications.empty());

  client->answer(json(nullptr));
  EXPECT_EQ(p->state(), WorkDoneProgress::State::Live);
  auto values = client->takeProgress("server-1");
  ASSERT_EQ(values.size(), 1u);
  EXPECT_EQ(values[0]["kind"], "begin");
  EXPECT_EQ(values[0]["message"], "compiling");
  EXPECT_EQ(values[0]["percentage"], 20);

  p->report(std::nullopt, 60);
  p->end();
  values = client->takeProgress("server-1");
  ASSERT_EQ(values.size(), 2u);
  EXPECT_EQ(values[0], json({{"kind", "report"}, {"message", "compiling"}, {"percentage", 60}}));
  EXPECT_EQ(values[1]["kind"], "end");
  EXPECT_EQ(p->state(), WorkDoneProgress::State::Ended);
  EXPECT_TRUE(fallback.empty());
}

TEST_F(ProgressTest, EndedWhileCreatingSendsBeginAndEndOnceLive) {
  client->caps.workDoneProgress = true;
  auto p = make();
  p->start(std::nullopt, "server-1");
  p->end("finished early");
  EXPECT_TRUE(client->notifications.empty());
  client->answer(json(nullptr));
  const auto values = client->takeProgress("server-1");
  ASSERT_EQ(values.size(), 2u);
  EXPECT_EQ(values[0]["kind"], "begin");
  EXPECT_EQ(values[1], json({{"kind", "end"}, {"message", "finished early"}}));
  EXPECT_EQ(p->state(), WorkDoneProgress::State::Ended);
}

TEST_F(ProgressTest, NothingSentWhenCreatedButNeverBegun) {
  client->caps.workDoneProgress = true;
  auto p = make();
  p->start(std::nullopt, "server-1");
  client->answer(json(nullptr));
  EXPECT_EQ(p->state(), WorkDoneProgress::State::Live);
  EXPECT_TRUE(client->notifications.empty());
}

TEST_F(ProgressTest, CreateRefusedFallsBack) {
  client->caps.workDoneProgress = true;
  auto p = make();
  p->start(std::nullopt, "server-1");
  p->begin("resolving", 10);
  EXPECT_TRUE(fallback.empty());  // still creating: not unsupported yet
  client->answer(std::nullopt, ResponseError{protocol::ErrorCode::InternalError, "no", std::nullopt});
  EXPECT_EQ(p->state(), WorkDoneProgress::State::Unsupported);
  ASSERT_EQ(fallback.size(), 1u);
  EXPECT_EQ(fallback.back().message, "resolving");
  EXPECT_EQ(fallback.back().percentage, 10u);

  p->report("compiling", 50);
  p->end("done");
  ASSERT_EQ(fallback.size(), 3u);
  EXPECT_EQ(fallback[1].percentage, 50u);
  EXPECT_TRUE(fallback[2].ended);
  EXPECT_EQ(fallback[2].message, "done");
  EXPECT_TRUE(client->notifications.empty());
}

TEST_F(ProgressTest, CreateTimeoutFallsBack) {
  client->caps.workDoneProgress = true;
  auto p = make();
  p->start(std::nullopt, "server-1");
  client->answer(std::nullopt, ResponseError{protocol::ErrorCode::RequestFailed, "timed out", std::nullopt});
  EXPECT_EQ(p->state(), WorkDoneProgress::State::Unsupported);
  p->begin();
  EXPECT_EQ(fallback.size(), 2u);  // the refusal, then begin
  EXPECT_TRUE(client->notifications.empty());
}

TEST_F(ProgressTest, UnsupportedClientGetsEveryUpdateThroughTheFallback) {
  auto p = make();
  p->start(std::nullopt, "server-1");
  EXPECT_EQ(p->state(), WorkDoneProgress::State::Unsupported);
  EXPECT_TRUE(client->calls.empty());
  p->begin("a", 0);
  p->report("b", 30);
  p->report(std::nullopt, 70);
  p->end();
  ASSERT_EQ(fallback.size(), 4u);
  EXPECT_EQ(fallback[0].title, "Building sysimage");
  EXPECT_EQ(fallback[1].message, "b");
  EXPECT_EQ(fallback[2].message, "b");  // kept when a report has no message
  EXPECT_EQ(fallback[2].percentage, 70u);
  EXPECT_FALSE(fallback[2].ended);
  EXPECT_TRUE(fallback[3].ended);
  EXPECT_TRUE(client->notifications.empty());
}

TEST_F(ProgressTest, ReportBeforeBeginBeginsImplicitly) {
  auto p = make();
  p->start(json("t"), "server-1");
  p->report("working", 10);
  const auto values = client->takeProgress("t");
  ASSERT_EQ(values.size(), 2u);
  EXPECT_EQ(values[0]["kind"], "begin");
  EXPECT_EQ(values[1]["kind"], "report");
}

TEST_F(ProgressTest, PercentageNeverDecreasesAndIsCappedAt100) {
  auto p = make();
  p->start(json("t"), "server-1");
  p->begin(std::nullopt, 10);
  for (unsigned pct : {50u, 30u, 0u, 75u, 60u, 250u, 99u}) p->report(std::nullopt, pct);
  p->report("no percentage", std::nullopt);
  const auto values = client->takeProgress("t");
  std::vector<unsigned> seen;
  for (const auto& v : values) {
    if (v.contains("percentage")) seen.push_back(v["percentage"].get<unsigned>());
  }
  EXPECT_EQ(seen, (std::vector<unsigned>{10, 50, 50, 50, 75, 75, 100, 100, 100}));
  EXPECT_EQ(p->snapshot().percentage, 100u);

  // Through the fallback too.
  auto q = make();
  q->start(std::nullopt, "server-2");
  q->begin(std::nullopt, 150);
  q->report(std::nullopt, 20);
  ASSERT_EQ(fallback.size(), 2u);
  EXPECT_EQ(fallback[0].percentage, 100u);
  EXPECT_EQ(fallback[1].percentage, 100u);
}

TEST_F(ProgressTest, ClientGoneIsHarmless) {
  client->caps.workDoneProgress = true;
  auto p = make();
  p->start(std::nullopt, "server-1");
  auto pending = std::move(client->calls.front());
  client.reset();
  p->begin("x", 1);
  pending.onResponse(ClientResponse{json(nullptr), std::nullopt});
  p->report("y", 2);
  p->end();
  EXPECT_EQ(p->snapshot().percentage, 2u);
}

TEST_F(ProgressTest, AnswerAfterTheProgressIsGoneIsHarmless) {
  client->caps.workDoneProgress = true;
  make()->start(std::nullopt, "server-1");  // destroyed at once
  client->answer(json(nullptr));
  EXPECT_TRUE(client->notifications.empty());
}

// End to end: Session::createProgress with a server-created token over the endpoint.
TEST(SessionProgress, ServerCreatedTokenOverTheWire) {
  SessionHarness h;
  std::shared_ptr<WorkDoneProgress> progress;
  int cancels = 0;
  h.feature->requests["test/build"] = [&](const json&, std::shared_ptr<ReplyOnce> r) {
    progress = h.feature->session.lock()->createProgress("Building", std::nullopt, true, [&cancels] { ++cancels; });
    progress->begin("start", 0);
    r->result(nullptr);
  };
  h.startInitialized({{"window", {{"workDoneProgress", true}}}});
  auto sent = h.exchange(request(1, "test/build", json::object()));
  ASSERT_EQ(sent.size(), 2u);
  EXPECT_EQ(sent[0]["method"], "window/workDoneProgress/create");
  const json token = sent[0]["params"]["token"];
  EXPECT_TRUE(token.is_string());
  EXPECT_EQ(sent[1]["id"], 1);
  EXPECT_EQ(progress->state(), WorkDoneProgress::State::Creating);

  sent = h.exchange({{"jsonrpc", "2.0"}, {"id", sent[0]["id"]}, {"result", nullptr}});
  ASSERT_EQ(sent.size(), 1u);
  EXPECT_EQ(sent[0]["method"], "$/progress");
  EXPECT_EQ(sent[0]["params"]["token"], token);
  EXPECT_EQ(sent[0]["params"]["value"]["kind"], "begin");

  h.exchange(notification("window/workDoneProgress/cancel", {{"token", token}}));
  EXPECT_EQ(cancels, 1);
  progress->end("cancelled");
  sent = h.connection->take();
  ASSERT_EQ(sent.size(), 1u);
  EXPECT_EQ(sent[0]["params"]["value"]["kind"], "end");
}

TEST(SessionProgress, UnsupportedClientUsesTheFallback) {
  SessionHarness h;
  std::shared_ptr<WorkDoneProgress> progress;
  std::vector<ProgressSnapshot> snapshots;
  h.feature->requests["test/build"] = [&](const json&, std::shared_ptr<ReplyOnce> r) {
    progress = h.feature->session.lock()->createProgress(
        "Building", std::nullopt, false, {}, [&snapshots](const ProgressSnapshot& s) { snapshots.push_back(s); });
    progress->begin("start", 0);
    progress->report("half", 50);
    r->result(nullptr);
  };
  h.startInitialized();
  auto sent = h.exchange(request(1, "test/build", json::object()));
  ASSERT_EQ(sent.size(), 1u);  // only the result
  EXPECT_EQ(snapshots.size(), 2u);
  EXPECT_EQ(progress->state(), WorkDoneProgress::State::Unsupported);
}

}  // namespace
}  // namespace sysimage::lsp::testing
