// Session with a required access token (TCP sessions): refused without the right token before any
// feature hears of `initialize`, and closed; admitted with it, and the token never reaches features.
#include <gtest/gtest.h>

#include "session_harness.h"

namespace sysimage::lsp::testing {
namespace {

constexpr int kAccessDenied = -32000;
constexpr int kServerNotInitialized = -32002;

SessionOptions withToken(const transport::AccessToken& token) {
  return SessionOptions{std::make_shared<const transport::AccessToken>(token)};
}

json initializeWith(json initializationOptions) {
  json params = {{"processId", nullptr}, {"capabilities", json::object()}};
  if (!initializationOptions.is_null()) params["initializationOptions"] = std::move(initializationOptions);
  return request(1, "initialize", std::move(params));
}

/// Sends `initialize` with `options`, a request that needs the feature, and `initialized`, as a
/// client that does not wait would; checks that only the refusal comes back and the session ended.
void expectRefused(const json& options) {
  const auto token = transport::AccessToken::generate();
  SessionHarness h(withToken(token));
  bool served = false;
  h.feature->requests["test/work"] = [&](const json&, std::shared_ptr<ReplyOnce> r) {
    served = true;
    r->result(nullptr);
  };
  h.start();
  h.connection->deliver(initializeWith(options));
  if (!h.connection->closed()) h.connection->deliver(request(2, "test/work"));
  if (!h.connection->closed()) h.connection->deliver(notification("initialized", json::object()));
  const auto sent = h.poll();
  ASSERT_EQ(sent.size(), 1u) << json(sent).dump();
  EXPECT_EQ(sent[0]["id"], 1);
  EXPECT_EQ(errorCode(sent[0]), kAccessDenied);
  const std::string message = sent[0]["error"]["message"];
  EXPECT_NE(message.find("initializationOptions.token"), std::string::npos) << message;
  EXPECT_EQ(message.find(token.text()), std::string::npos) << "the refusal shows the real token";
  EXPECT_EQ(h.feature->initializeCalls, 0);
  EXPECT_EQ(h.feature->initializedCalls, 0);
  EXPECT_FALSE(served);
  EXPECT_TRUE(h.connection->closed());
  EXPECT_EQ(h.exitCode, 1);
  EXPECT_EQ(h.session->state(), Session::State::Exited);
}

TEST(SessionAccessToken, InitializeWithoutTokenIsRefusedAndClosed) { expectRefused(nullptr); }

TEST(SessionAccessToken, InitializeWithOptionsButNoTokenIsRefused) {
  expectRefused({{"juliaPath", "/tmp/evil-julia"}, {"stateDir", "/tmp/evil-state"}});
}

TEST(SessionAccessToken, WrongTokenIsRefused) {
  expectRefused({{"token", transport::AccessToken::generate().text()}, {"juliaPath", "/tmp/evil-julia"}});
}

TEST(SessionAccessToken, TokenOfTheWrongTypeIsRefused) {
  expectRefused({{"token", 12345}});
  expectRefused({{"token", nullptr}});
  expectRefused(json::array({"token"}));
}

TEST(SessionAccessToken, RequestsBeforeInitializeAreStillNotServed) {
  const auto token = transport::AccessToken::generate();
  SessionHarness h(withToken(token));
  h.start();
  const auto sent = h.exchange(request(7, "sysimage/status"));
  ASSERT_EQ(sent.size(), 1u);
  EXPECT_EQ(errorCode(sent[0]), kServerNotInitialized);
  EXPECT_EQ(h.feature->initializeCalls, 0);
}

TEST(SessionAccessToken, RightTokenIsAdmittedAndHiddenFromFeatures) {
  const auto token = transport::AccessToken::generate();
  SessionHarness h(withToken(token));
  h.feature->requests["test/work"] = [](const json&, std::shared_ptr<ReplyOnce> r) { r->result("done"); };
  h.start();
  auto sent = h.exchange(initializeWith({{"token", token.text()}, {"juliaPath", "/usr/bin/julia"}}));
  ASSERT_EQ(sent.size(), 1u);
  EXPECT_EQ(sent[0]["result"]["serverInfo"]["name"], "sysimage-server");
  ASSERT_EQ(h.feature->initializeCalls, 1);
  const json& seen = h.feature->initializeParams->initializationOptions;
  EXPECT_FALSE(seen.contains("token")) << seen.dump();
  EXPECT_EQ(seen["juliaPath"], "/usr/bin/julia");
  EXPECT_EQ(h.session->initializeParams().initializationOptions.dump().find(token.text()), std::string::npos);
  h.exchange(notification("initialized", json::object()));
  sent = h.exchange(request(2, "test/work"));
  ASSERT_EQ(sent.size(), 1u);
  EXPECT_EQ(sent[0]["result"], "done");
  EXPECT_FALSE(h.connection->closed());
}

TEST(SessionAccessToken, SessionsWithoutARequiredTokenIgnoreOne) {
  SessionHarness h;  // stdio and Unix sockets
  h.start();
  auto sent = h.exchange(initializeWith({{"token", "anything"}, {"cpuTarget", "generic"}}));
  ASSERT_EQ(sent.size(), 1u);
  EXPECT_TRUE(sent[0].contains("result"));
  ASSERT_EQ(h.feature->initializeCalls, 1);
  EXPECT_FALSE(h.feature->initializeParams->initializationOptions.contains("token"));
  EXPECT_EQ(h.feature->initializeParams->initializationOptions["cpuTarget"], "generic");
}

}  // namespace
}  // namespace sysimage::lsp::testing
