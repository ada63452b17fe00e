// Session + Endpoint in process: lifecycle rules, exactly-once replies, cancellation, server->client
// calls and their timeouts, progress cancel, batches and framing errors.
#include <gtest/gtest.h>

#include <boost/asio/post.hpp>

#include <stdexcept>

#include "session_harness.h"
#include "sysimage/protocol/sysimage.h"

namespace sysimage::lsp::testing {
namespace {

using protocol::ErrorCode;

constexpr int kServerNotInitialized = -32002;
constexpr int kInvalidRequest = -32600;
constexpr int kMethodNotFound = -32601;
constexpr int kInvalidParams = -32602;
constexpr int kInternalError = -32603;
constexpr int kParseError = -32700;
constexpr int kRequestCancelled = -32800;
constexpr int kRequestFailed = -32803;

json initializeRequest(json id = 1, json capabilities = json::object()) {
  return request(id, "initialize", {{"processId", nullptr}, {"capabilities", std::move(capabilities)}});
}

// --- lifecycle

TEST(SessionLifecycle, RequestBeforeInitializeIsServerNotInitialized) {
  SessionHarness h;
  h.feature->requests["test/echo"] = [](const json& p, std::shared_ptr<ReplyOnce> r) { r->result(p); };
  h.start();
  auto sent = h.exchange(request(1, "test/echo", {{"a", 1}}));
  ASSERT_EQ(sent.size(), 1u);
  EXPECT_EQ(sent[0]["id"], 1);
  EXPECT_EQ(errorCode(sent[0]), kServerNotInitialized);
  // Unknown methods too: the lifecycle rule comes first.
  sent = h.exchange(request(2, "no/such"));
  ASSERT_EQ(sent.size(), 1u);
  EXPECT_EQ(errorCode(sent[0]), kServerNotInitialized);
}

TEST(SessionLifecycle, NotificationBeforeInitializeIsDropped) {
  SessionHarness h;
  h.start();
  EXPECT_TRUE(h.exchange(notification("test/note", {{"x", 1}})).empty());
  EXPECT_TRUE(h.feature->notes.empty());
  EXPECT_EQ(h.session->state(), Session::State::Uninitialized);
}

TEST(SessionLifecycle, InitializeAnswersCapabilitiesAndTellsFeatures) {
  SessionHarness h;
  h.feature->commands["test.command"] = [](const protocol::ExecuteCommandParams&, std::shared_ptr<ReplyOnce> r) {
    r->result(nullptr);
  };
  h.start();
  auto sent = h.exchange(request(1, "initialize",
                                 {{"processId", nullptr},
                                  {"clientInfo", {{"name", "test-client"}, {"version", "1"}}},
                                  {"trace", "verbose"},
                                  {"capabilities", {{"window", {{"workDoneProgress", true}}}}}}));
  ASSERT_EQ(sent.size(), 1u);
  const json& result = sent[0]["result"];
  EXPECT_EQ(result["serverInfo"]["name"], "sysimage-server");
  EXPECT_EQ(result["capabilities"]["executeCommandProvider"]["commands"], json::array({"test.command"}));
  EXPECT_EQ(result["capabilities"]["experimental"]["sysimage"]["protocolVersion"], protocol::sysimage::kProtocolVersion);
  EXPECT_EQ(h.feature->initializeCalls, 1);
  ASSERT_TRUE(h.feature->initializeParams);
  EXPECT_EQ(h.feature->initializeParams->clientInfo->name, "test-client");
  EXPECT_TRUE(h.session->capabilities().workDoneProgress);
  EXPECT_EQ(h.session->trace(), "verbose");
  EXPECT_EQ(h.session->state(), Session::State::Initializing);
  EXPECT_EQ(h.feature->initializedCalls, 0);

  EXPECT_TRUE(h.exchange(notification("initialized", json::object())).empty());
  EXPECT_EQ(h.session->state(), Session::State::Running);
  EXPECT_EQ(h.feature->initializedCalls, 1);
  // A second `initialized` changes nothing.
  h.exchange(notification("initialized", json::object()));
  EXPECT_EQ(h.feature->initializedCalls, 1);
}

TEST(SessionLifecycle, SecondInitializeIsInvalidRequest) {
  SessionHarness h;
  h.startInitialized();
  auto sent = h.exchange(initializeRequest(2));
  ASSERT_EQ(sent.size(), 1u);
  EXPECT_EQ(errorCode(sent[0]), kInvalidRequest);
  EXPECT_EQ(h.feature->initializeCalls, 1);
}

TEST(SessionLifecycle, InvalidInitializeParamsNameThePath) {
  SessionHarness h;
  h.start();
  auto sent = h.exchange(request(1, "initialize", {{"processId", "me"}, {"capabilities", json::object()}}));
  ASSERT_EQ(sent.size(), 1u);
  EXPECT_EQ(errorCode(sent[0]), kInvalidParams);
  EXPECT_NE(sent[0]["error"]["message"].get<std::string>().find("/params/processId"), std::string::npos)
      << sent[0].dump();
  // Still uninitialized: a valid initialize works afterwards.
  sent = h.exchange(initializeRequest(2));
  ASSERT_EQ(sent.size(), 1u);
  EXPECT_TRUE(sent[0].contains("result"));
}

TEST(SessionLifecycle, UnknownMethodIsMethodNotFound) {
  SessionHarness h;
  h.startInitialized();
  auto sent = h.exchange(request("abc", "no/such/method"));
  ASSERT_EQ(sent.size(), 1u);
  EXPECT_EQ(sent[0]["id"], "abc");
  EXPECT_EQ(errorCode(sent[0]), kMethodNotFound);
  // An unknown notification gets no answer.
  EXPECT_TRUE(h.exchange(notification("no/such/notification")).empty());
  EXPECT_TRUE(h.exchange(notification("$/unknown")).empty());
}

TEST(SessionLifecycle, ShutdownThenExitEndsWithZero) {
  SessionHarness h;
  h.feature->requests["test/echo"] = [](const json& p, std::shared_ptr<ReplyOnce> r) { r->result(p); };
  h.startInitialized();
  auto sent = h.exchange(request(9, "shutdown"));
  ASSERT_EQ(sent.size(), 1u);
  EXPECT_EQ(sent[0]["id"], 9);
  EXPECT_TRUE(sent[0].contains("result"));
  EXPECT_TRUE(sent[0]["result"].is_null());
  EXPECT_EQ(h.feature->shutdownCalls, 1);
  EXPECT_EQ(h.session->state(), Session::State::ShuttingDown);

  // After shutdown every request is InvalidRequest, even a second shutdown.
  sent = h.exchange(request(10, "test/echo", json::object()));
  ASSERT_EQ(sent.size(), 1u);
  EXPECT_EQ(errorCode(sent[0]), kInvalidRequest);
  sent = h.exchange(request(11, "shutdown"));
  ASSERT_EQ(sent.size(), 1u);
  EXPECT_EQ(errorCode(sent[0]), kInvalidRequest);
  EXPECT_FALSE(h.exitCode);

  EXPECT_TRUE(h.exchange(notification("exit")).empty());
  EXPECT_EQ(h.exitCode, 0);
  EXPECT_EQ(h.exitCalls, 1);
  EXPECT_EQ(h.feature->disconnectedCalls, 1);
  EXPECT_EQ(h.session->state(), Session::State::Exited);
  EXPECT_TRUE(h.connection->closed());
}

TEST(SessionLifecycle, ExitWithoutShutdownEndsWithOne) {
  SessionHarness h;
  h.startInitialized();
  h.exchange(notification("exit"));
  EXPECT_EQ(h.exitCode, 1);
  EXPECT_EQ(h.exitCalls, 1);
}

TEST(SessionLifecycle, ExitBeforeInitializeEndsWithOne) {
  SessionHarness h;
  h.start();
  h.exchange(notification("exit"));
  EXPECT_EQ(h.exitCode, 1);
}

TEST(SessionLifecycle, DisconnectEndsTheSession) {
  SessionHarness h;
  h.startInitialized();
  h.connection->disconnect("connection reset by peer");
  h.poll();
  EXPECT_EQ(h.exitCode, 1);
  EXPECT_EQ(h.exitCalls, 1);
  EXPECT_EQ(h.feature->disconnectedCalls, 1);
}

TEST(SessionLifecycle, DisconnectAfterShutdownEndsWithZero) {
  SessionHarness h;
  h.startInitialized();
  h.exchange(request(1, "shutdown"));
  h.connection->disconnect();
  EXPECT_EQ(h.exitCode, 0);
}

TEST(SessionLifecycle, SetTraceWorkspaceFoldersAndConfiguration) {
  SessionHarness h;
  h.startInitialized();
  EXPECT_TRUE(h.exchange(notification("$/setTrace", {{"value", "messages"}})).empty());
  EXPECT_EQ(h.session->trace(), "messages");
  h.exchange(notification("$/setTrace", {{"value", "loud"}}));  // invalid: ignored
  EXPECT_EQ(h.session->trace(), "messages");

  h.exchange(notification("workspace/didChangeWorkspaceFolders",
                          {{"event", {{"added", {{{"uri", "file:///a"}, {"name", "a"}}, {{"uri", "file:///b"}, {"name", "b"}}}},
                                      {"removed", json::array()}}}}));
  h.exchange(notification("workspace/didChangeWorkspaceFolders",
                          {{"event", {{"added", json::array()}, {"removed", {{{"uri", "file:///a"}, {"name", "a"}}}}}}}));
  ASSERT_TRUE(h.session->initializeParams().workspaceFolders);
  ASSERT_EQ(h.session->initializeParams().workspaceFolders->size(), 1u);
  EXPECT_EQ(h.session->initializeParams().workspaceFolders->front().uri, "file:///b");

  h.exchange(notification("workspace/didChangeConfiguration", {{"settings", {{"x", 1}}}}));
  ASSERT_EQ(h.feature->configurations.size(), 1u);
  EXPECT_EQ(h.feature->configurations[0], json({{"x", 1}}));
}

TEST(SessionLifecycle, FeatureNotificationsAreDispatched) {
  SessionHarness h;
  h.startInitialized();
  h.exchange(notification("test/note", {{"n", 1}}));
  h.exchange(notification("test/note", json::array({2})));
  ASSERT_EQ(h.feature->notes.size(), 2u);
  EXPECT_EQ(h.feature->notes[0], json({{"n", 1}}));
}

TEST(SessionCommands, ExecuteCommandRoutesToTheFeature) {
  SessionHarness h;
  h.feature->commands["test.add"] = [](const protocol::ExecuteCommandParams& p, std::shared_ptr<ReplyOnce> r) {
    r->result(p.arguments.at(0).get<int>() + p.arguments.at(1).get<int>());
  };
  h.startInitialized();
  auto sent = h.exchange(request(1, "workspace/executeCommand", {{"command", "test.add"}, {"arguments", {2, 3}}}));
  ASSERT_EQ(sent.size(), 1u);
  EXPECT_EQ(sent[0]["result"], 5);

  sent = h.exchange(request(2, "workspace/executeCommand", {{"command", "test.nope"}}));
  ASSERT_EQ(sent.size(), 1u);
  EXPECT_EQ(errorCode(sent[0]), kInvalidParams);

  sent = h.exchange(request(3, "workspace/executeCommand", {{"command", "test.add"}, {"arguments", "x"}}));
  ASSERT_EQ(sent.size(), 1u);
  EXPECT_EQ(errorCode(sent[0]), kInvalidParams);
  EXPECT_NE(sent[0]["error"]["message"].get<std::string>().find("/params/arguments"), std::string::npos);

  // A command that throws (arguments too short) answers InternalError once.
  sent = h.exchange(request(4, "workspace/executeCommand", {{"command", "test.add"}, {"arguments", {1}}}));
  ASSERT_EQ(sent.size(), 1u);
  EXPECT_EQ(errorCode(sent[0]), kInternalError);
}

// --- exactly-once replies

TEST(SessionReplies, HandlerThatThrowsAnswersInternalErrorOnce) {
  SessionHarness h;
  h.feature->requests["test/throw"] = [](const json&, std::shared_ptr<ReplyOnce>) {
    throw std::runtime_error("boom");
  };
  h.startInitialized();
  auto sent = h.exchange(request(5, "test/throw"));
  ASSERT_EQ(sent.size(), 1u);
  EXPECT_EQ(sent[0]["id"], 5);
  EXPECT_EQ(errorCode(sent[0]), kInternalError);
  EXPECT_NE(sent[0]["error"]["message"].get<std::string>().find("boom"), std::string::npos);
  // Nothing more later (the reply object is gone, its destructor must not answer again).
  EXPECT_TRUE(h.poll().empty());
}

TEST(SessionReplies, HandlerThatThrowsAfterReplyingSendsOnlyTheReply) {
  SessionHarness h;
  h.feature->requests["test/replyThenThrow"] = [](const json&, std::shared_ptr<ReplyOnce> r) {
    r->result(42);
    throw std::runtime_error("late failure");
  };
  h.startInitialized();
  auto sent = h.exchange(request(6, "test/replyThenThrow"));
  ASSERT_EQ(sent.size(), 1u);
  EXPECT_EQ(sent[0]["result"], 42);
}

TEST(SessionReplies, DroppedReplyAnswersInternalErrorFromTheDestructor) {
  SessionHarness h;
  h.feature->requests["test/forget"] = [](const json&, std::shared_ptr<ReplyOnce>) {};
  h.startInitialized();
  auto sent = h.exchange(request(7, "test/forget"));
  ASSERT_EQ(sent.size(), 1u);
  EXPECT_EQ(sent[0]["id"], 7);
  EXPECT_EQ(errorCode(sent[0]), kInternalError);
  EXPECT_TRUE(h.poll().empty());
}

TEST(SessionReplies, DroppedReplyLaterAnswersWhenTheLastCopyGoes) {
  SessionHarness h;
  std::shared_ptr<ReplyOnce> kept;
  h.feature->requests["test/keep"] = [&kept](const json&, std::shared_ptr<ReplyOnce> r) { kept = std::move(r); };
  h.startInitialized();
  EXPECT_TRUE(h.exchange(request(8, "test/keep")).empty());
  kept.reset();
  auto sent = h.connection->take();
  ASSERT_EQ(sent.size(), 1u);
  EXPECT_EQ(errorCode(sent[0]), kInternalError);
}

TEST(SessionReplies, AsynchronousReplyGoesOutOnce) {
  SessionHarness h;
  h.feature->requests["test/later"] = [&h](const json& p, std::shared_ptr<ReplyOnce> r) {
    boost::asio::post(h.io, [r, p] { r->result(p); });
  };
  h.startInitialized();
  h.connection->deliver(request(1, "test/later", {{"v", 1}}));
  auto sent = h.poll();
  ASSERT_EQ(sent.size(), 1u);
  EXPECT_EQ(sent[0]["result"], json({{"v", 1}}));
}

TEST(SessionReplies, SecondReplyIsDropped) {
  auto scenario = [] {
    SessionHarness h;
    h.feature->requests["test/twice"] = [](const json&, std::shared_ptr<ReplyOnce> r) {
      r->result(1);
      r->result(2);
      r->error(ErrorCode::RequestFailed, "and an error");
    };
    h.startInitialized();
    return h.exchange(request(3, "test/twice"));
  };
#ifdef NDEBUG
  // Release builds (RelWithDebInfo): logged and dropped; the client sees the first answer only.
  auto sent = scenario();
  ASSERT_EQ(sent.size(), 1u);
  EXPECT_EQ(sent[0]["result"], 1);
#else
  // Debug builds assert: a second reply is a bug in the handler.
  GTEST_FLAG_SET(death_test_style, "threadsafe");
  EXPECT_DEATH(scenario(), "answered twice");
#endif
}

// --- cancellation

TEST(SessionCancellation, CancelRequestAnswersRequestCancelledExactlyOnce) {
  SessionHarness h;
  std::shared_ptr<ReplyOnce> kept;
  int cancelCallbacks = 0;
  h.feature->requests["test/slow"] = [&](const json&, std::shared_ptr<ReplyOnce> r) {
    r->cancellation().onCancel([&cancelCallbacks] { ++cancelCallbacks; });
    kept = std::move(r);
  };
  h.startInitialized();
  EXPECT_TRUE(h.exchange(request(2, "test/slow")).empty());

  auto sent = h.exchange(notification("$/cancelRequest", {{"id", 2}}));
  ASSERT_EQ(sent.size(), 1u);
  EXPECT_EQ(sent[0]["id"], 2);
  EXPECT_EQ(errorCode(sent[0]), kRequestCancelled);
  EXPECT_EQ(cancelCallbacks, 1);
  ASSERT_TRUE(kept);
  EXPECT_TRUE(kept->cancellation().cancelled());

  // The handler's late answer is dropped silently (no assert: cancellation is expected to race).
  kept->result(json::object());
  kept->error(ErrorCode::RequestFailed, "too late");
  EXPECT_TRUE(h.connection->take().empty());
  // Cancelling again, or an unknown id, sends nothing.
  EXPECT_TRUE(h.exchange(notification("$/cancelRequest", {{"id", 2}})).empty());
  EXPECT_TRUE(h.exchange(notification("$/cancelRequest", {{"id", 777}})).empty());
  kept.reset();
  EXPECT_TRUE(h.connection->take().empty());
  EXPECT_EQ(cancelCallbacks, 1);
}

TEST(SessionCancellation, CancelWithStringId) {
  SessionHarness h;
  std::shared_ptr<ReplyOnce> kept;
  h.feature->requests["test/slow"] = [&](const json&, std::shared_ptr<ReplyOnce> r) { kept = std::move(r); };
  h.startInitialized();
  h.exchange(request("req-1", "test/slow"));
  auto sent = h.exchange(notification("$/cancelRequest", {{"id", "req-1"}}));
  ASSERT_EQ(sent.size(), 1u);
  EXPECT_EQ(sent[0]["id"], "req-1");
  EXPECT_EQ(errorCode(sent[0]), kRequestCancelled);
  // The integer 1 is not the string "1".
  h.exchange(request("1", "test/slow"));
  EXPECT_TRUE(h.exchange(notification("$/cancelRequest", {{"id", 1}})).empty());
}

TEST(SessionCancellation, SessionEndAbandonsRequestsStillRunning) {
  SessionHarness h;
  std::shared_ptr<ReplyOnce> kept;
  int cancelCallbacks = 0;
  h.feature->requests["test/slow"] = [&](const json&, std::shared_ptr<ReplyOnce> r) {
    r->cancellation().onCancel([&cancelCallbacks] { ++cancelCallbacks; });
    kept = std::move(r);
  };
  h.startInitialized();
  EXPECT_TRUE(h.exchange(request(2, "test/slow")).empty());
  h.connection->disconnect("connection reset by peer");
  h.poll();
  EXPECT_EQ(cancelCallbacks, 1) << "the work of a client that went away stops";
  ASSERT_TRUE(kept);
  kept->result(json::object());  // a late answer goes nowhere
  kept.reset();                  // and no InternalError either
  EXPECT_TRUE(h.connection->take().empty());
}

TEST(SessionCancellation, CancelAfterTheAnswerSendsNothing) {
  SessionHarness h;
  h.feature->requests["test/echo"] = [](const json& p, std::shared_ptr<ReplyOnce> r) { r->result(p); };
  h.startInitialized();
  ASSERT_EQ(h.exchange(request(4, "test/echo", json::object())).size(), 1u);
  EXPECT_TRUE(h.exchange(notification("$/cancelRequest", {{"id", 4}})).empty());
}

TEST(SessionCancellation, ProgressCancelInvokesTheRegisteredCallback) {
  SessionHarness h;
  int cancels = 0;
  std::shared_ptr<WorkDoneProgress> progress;
  h.feature->requests["test/withProgress"] = [&](const json& p, std::shared_ptr<ReplyOnce> r) {
    auto session = h.feature->session.lock();
    progress = session->createProgress("Building", p.at("workDoneToken"), true, [&cancels] { ++cancels; });
    progress->begin("starting");
    r->result(nullptr);
  };
  h.startInitialized();
  auto sent = h.exchange(request(1, "test/withProgress", {{"workDoneToken", "tok-1"}}));
  ASSERT_EQ(sent.size(), 2u);  // $/progress begin, then the result
  EXPECT_EQ(sent[0]["method"], "$/progress");
  EXPECT_EQ(sent[0]["params"]["token"], "tok-1");
  EXPECT_EQ(sent[0]["params"]["value"]["cancellable"], true);

  EXPECT_TRUE(h.exchange(notification("window/workDoneProgress/cancel", {{"token", "tok-2"}})).empty());
  EXPECT_EQ(cancels, 0);
  EXPECT_TRUE(h.exchange(notification("window/workDoneProgress/cancel", {{"token", "tok-1"}})).empty());
  EXPECT_EQ(cancels, 1);
  h.exchange(notification("window/workDoneProgress/cancel", {{"token", "tok-1"}}));
  EXPECT_EQ(cancels, 1);
}

// --- server -> client calls

class SessionCalls : public ::testing::Test {
 protected:
  void SetUp() override {
    h.feature->requests["test/ask"] = [this](const json& p, std::shared_ptr<ReplyOnce> r) {
      const auto timeout = std::chrono::milliseconds(p.value("timeoutMs", 30000));
      h.feature->session.lock()->call(
          "test/question", {{"q", p.value("q", "")}},
          [this, r](ClientResponse response) {
            outcomes.push_back(response);
            if (response.error) {
              r->error(*response.error);
            } else {
              r->result(*response.result);
            }
          },
          timeout);
    };
    h.startInitialized();
  }
  std::vector<ClientResponse> outcomes;  // before h: pending calls fail into it while h is destroyed
  SessionHarness h;
};

TEST_F(SessionCalls, ResponsesAreRoutedById) {
  auto sent = h.exchange(request(1, "test/ask", {{"q", "first"}}));
  ASSERT_EQ(sent.size(), 1u);
  EXPECT_EQ(sent[0]["method"], "test/question");
  EXPECT_EQ(sent[0]["params"]["q"], "first");
  const json firstId = sent[0]["id"];
  EXPECT_TRUE(firstId.is_string());

  sent = h.exchange(request(2, "test/ask", {{"q", "second"}}));
  ASSERT_EQ(sent.size(), 1u);
  const json secondId = sent[0]["id"];
  EXPECT_NE(firstId, secondId);

  // Answered in reverse order: each answer reaches its own caller.
  sent = h.exchange({{"jsonrpc", "2.0"}, {"id", secondId}, {"result", "two"}});
  ASSERT_EQ(sent.size(), 1u);
  EXPECT_EQ(sent[0]["id"], 2);
  EXPECT_EQ(sent[0]["result"], "two");
  sent = h.exchange({{"jsonrpc", "2.0"}, {"id", firstId}, {"error", {{"code", -32000}, {"message", "no"}}}});
  ASSERT_EQ(sent.size(), 1u);
  EXPECT_EQ(sent[0]["id"], 1);
  EXPECT_EQ(sent[0]["error"]["code"], -32000);
  EXPECT_EQ(sent[0]["error"]["message"], "no");

  // A second answer to the same id is a response with an unknown id: dropped, never answered.
  EXPECT_TRUE(h.exchange({{"jsonrpc", "2.0"}, {"id", firstId}, {"result", 1}}).empty());
  EXPECT_EQ(outcomes.size(), 2u);
}

TEST_F(SessionCalls, UnknownResponseIdIsDropped) {
  EXPECT_TRUE(h.exchange({{"jsonrpc", "2.0"}, {"id", "sysimage-999"}, {"result", json::object()}}).empty());
  EXPECT_TRUE(h.exchange({{"jsonrpc", "2.0"}, {"id", 12345}, {"error", {{"code", -32603}, {"message", "x"}}}}).empty());
  EXPECT_TRUE(outcomes.empty());
}

TEST_F(SessionCalls, UnansweredCallTimesOutWithRequestFailed) {
  auto sent = h.exchange(request(1, "test/ask", {{"timeoutMs", 20}}));
  ASSERT_EQ(sent.size(), 1u);
  const json callId = sent[0]["id"];
  EXPECT_TRUE(h.poll().empty());
  h.io.restart();
  h.io.run_for(std::chrono::milliseconds(200));
  ASSERT_EQ(outcomes.size(), 1u);
  ASSERT_TRUE(outcomes[0].error);
  EXPECT_EQ(static_cast<int>(outcomes[0].error->code), kRequestFailed);
  sent = h.connection->take();
  ASSERT_EQ(sent.size(), 1u);
  EXPECT_EQ(sent[0]["id"], 1);
  EXPECT_EQ(errorCode(sent[0]), kRequestFailed);
  // The client's late answer is dropped.
  EXPECT_TRUE(h.exchange({{"jsonrpc", "2.0"}, {"id", callId}, {"result", 1}}).empty());
  EXPECT_EQ(outcomes.size(), 1u);
}

TEST_F(SessionCalls, AnswerBeforeTheTimeoutCancelsTheTimer) {
  auto sent = h.exchange(request(1, "test/ask", {{"timeoutMs", 30}}));
  const json callId = sent.at(0)["id"];
  h.exchange({{"jsonrpc", "2.0"}, {"id", callId}, {"result", "in time"}});
  h.io.restart();
  h.io.run_for(std::chrono::milliseconds(100));
  ASSERT_EQ(outcomes.size(), 1u);
  EXPECT_FALSE(outcomes[0].error);
  EXPECT_TRUE(h.connection->take().empty());
}

TEST_F(SessionCalls, DisconnectFailsPendingCalls) {
  h.exchange(request(1, "test/ask", json::object()));
  h.connection->disconnect();
  ASSERT_EQ(outcomes.size(), 1u);
  ASSERT_TRUE(outcomes[0].error);
  EXPECT_EQ(static_cast<int>(outcomes[0].error->code), kRequestFailed);
  EXPECT_EQ(h.exitCode, 1);
}

// --- envelope-level errors through the endpoint

TEST(SessionEndpoint, BatchResponsesGoOutAsOneArrayAfterTheLastAnswer) {
  SessionHarness h;
  h.feature->requests["test/echo"] = [](const json& p, std::shared_ptr<ReplyOnce> r) { r->result(p); };
  h.feature->requests["test/later"] = [&h](const json& p, std::shared_ptr<ReplyOnce> r) {
    boost::asio::post(h.io, [r, p] { r->result(p); });
  };
  h.startInitialized();
  h.connection->deliver(json::array({request(1, "test/later", {{"n", 1}}), notification("test/note", {{"n", 2}}),
                                     request(2, "test/echo", {{"n", 3}}), request(3, "nope"), json{{"foo", "bar"}}}));
  EXPECT_TRUE(h.connection->sent().empty());  // test/later has not answered yet
  auto sent = h.poll();
  ASSERT_EQ(sent.size(), 1u);
  ASSERT_TRUE(sent[0].is_array());
  ASSERT_EQ(sent[0].size(), 4u);
  EXPECT_EQ(responsesTo(sent[0], 2).at(0)["result"], json({{"n", 3}}));
  EXPECT_EQ(errorCode(responsesTo(sent[0], 3).at(0)), kMethodNotFound);
  EXPECT_EQ(errorCode(responsesTo(sent[0], nullptr).at(0)), kInvalidRequest);
  EXPECT_EQ(responsesTo(sent[0], 1).at(0)["result"], json({{"n", 1}}));
  EXPECT_EQ(h.feature->notes.size(), 1u);

  // Only notifications: nothing at all.
  EXPECT_TRUE(h.exchange(json::array({notification("test/note", json::object())})).empty());
  // Empty batch: one error object, not an array.
  auto empty = h.exchange(json::array());
  ASSERT_EQ(empty.size(), 1u);
  EXPECT_EQ(errorCode(empty[0]), kInvalidRequest);
}

TEST(SessionEndpoint, BadBodiesAndFramesAreParseErrors) {
  SessionHarness h;
  h.startInitialized();
  h.connection->deliver(std::string("{bad json"));
  auto sent = h.poll();
  ASSERT_EQ(sent.size(), 1u);
  EXPECT_TRUE(sent[0]["id"].is_null());
  EXPECT_EQ(errorCode(sent[0]), kParseError);

  h.connection->deliverFrameError({protocol::FrameError::Kind::InvalidContentLength, "bad length", 10});
  sent = h.poll();
  ASSERT_EQ(sent.size(), 1u);
  EXPECT_EQ(errorCode(sent[0]), kParseError);
  // A truncated frame at end of stream is only logged: nobody is left to read an answer.
  h.connection->deliverFrameError({protocol::FrameError::Kind::TruncatedFrame, "cut", 3});
  EXPECT_TRUE(h.poll().empty());
}

}  // namespace
}  // namespace sysimage::lsp::testing
