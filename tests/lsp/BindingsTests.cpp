// The binding table on its own: typed params parsed in one place (InvalidParams naming the path),
// exceptions mapped to InternalError, notifications, and the ReplyOnce / cancellation primitives.
#include <gtest/gtest.h>

#include <stdexcept>

#include "server/lsp/bindings.h"
#include "sysimage/protocol/lifecycle.h"
#include "sysimage/protocol/sysimage.h"
#include "test_connection.h"

namespace sysimage::lsp::testing {
namespace {

using protocol::ErrorCode;

struct AddParams {
  int a = 0;
  int b = 0;
};
void from_json(const json& j, AddParams& p) {
  protocol::readField(j, "a", p.a);
  protocol::readField(j, "b", p.b);
}
struct Sum {
  int value = 0;
};
void to_json(json& j, const Sum& s) { j = json{{"sum", s.value}}; }

/// A handler object bound through the typed API.
struct Calculator {
  int calls = 0;
  std::vector<int> notified;
  std::optional<Reply<Sum>> kept;

  void add(const AddParams& p, Reply<Sum> reply) {
    ++calls;
    reply(Sum{p.a + p.b});
  }
  void addLater(const AddParams&, Reply<Sum> reply) { kept = reply; }
  void fail(const NoParams&, Reply<Sum>) {
    ++calls;
    throw std::runtime_error("division by zero");
  }
  void ping(const protocol::sysimage::PingParams& p, Reply<json> reply) { reply(json{{"delayMs", p.delayMs}}); }
  void initialize(const protocol::InitializeParams&, Reply<std::nullptr_t> reply) { reply(nullptr); }
  void note(const AddParams& p) { notified.push_back(p.a + p.b); }
  void badNote(const NoParams&) { throw std::runtime_error("notification handler failed"); }
};

class BindingsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    bindings.request("calc/add", &calc, &Calculator::add);
    bindings.request("calc/addLater", &calc, &Calculator::addLater);
    bindings.request("calc/fail", &calc, &Calculator::fail);
    bindings.request("sysimage/ping", &calc, &Calculator::ping);
    bindings.request("initialize", &calc, &Calculator::initialize);
    bindings.notification("calc/note", &calc, &Calculator::note);
    bindings.notification("calc/badNote", &calc, &Calculator::badNote);
  }

  /// A ReplyOnce whose messages land in `sent`.
  std::shared_ptr<ReplyOnce> reply(json id = 1) {
    return std::make_shared<ReplyOnce>(id, "test", [this](json m) { sent.push_back(std::move(m)); });
  }
  /// Dispatches one request and returns the one message it answered with now.
  json call(const std::string& method, json params) {
    sent.clear();
    auto r = reply();
    EXPECT_TRUE(bindings.dispatch(method, params, r));
    EXPECT_EQ(sent.size(), 1u);
    return sent.empty() ? json() : sent.back();
  }

  Calculator calc;
  Bindings bindings;
  std::vector<json> sent;
};

TEST_F(BindingsTest, TypedRequestGetsParsedParamsAndRepliesWithToJson) {
  const json m = call("calc/add", {{"a", 2}, {"b", 40}});
  EXPECT_EQ(m, json({{"jsonrpc", "2.0"}, {"id", 1}, {"result", {{"sum", 42}}}}));
  EXPECT_EQ(calc.calls, 1);
}

TEST_F(BindingsTest, BadParamsAreInvalidParamsNamingThePath) {
  json m = call("calc/add", {{"a", 2}});
  EXPECT_EQ(errorCode(m), -32602);
  EXPECT_EQ(m["error"]["message"], "invalid params at /params/b: is required");
  m = call("calc/add", {{"a", "2"}, {"b", 1}});
  EXPECT_EQ(m["error"]["message"], "invalid params at /params/a: type must be number, but is string");
  m = call("calc/add", json::array({1, 2}));
  EXPECT_EQ(m["error"]["message"], "invalid params at /params: must be an object, but is array");
  m = call("sysimage/ping", {{"delayMs", 70000}});
  EXPECT_EQ(m["error"]["message"], "invalid params at /params/delayMs: must be between 0 and 60000");
  m = call("initialize", {{"workspaceFolders", {{{"uri", "file:///a"}, {"name", "a"}}, {{"name", "b"}}}}});
  EXPECT_EQ(m["error"]["message"], "invalid params at /params/workspaceFolders/1/uri: is required");
  EXPECT_EQ(calc.calls, 0);  // the handler never ran
}

TEST_F(BindingsTest, AbsentParamsReadAsAnEmptyObject) {
  EXPECT_EQ(call("sysimage/ping", nullptr)["result"], json({{"delayMs", 0}}));
  EXPECT_EQ(errorCode(call("calc/add", nullptr)), -32602);
}

TEST_F(BindingsTest, HandlerExceptionIsInternalError) {
  const json m = call("calc/fail", nullptr);
  EXPECT_EQ(errorCode(m), -32603);
  EXPECT_EQ(m["error"]["message"], "internal error: division by zero");
  EXPECT_EQ(calc.calls, 1);
}

TEST_F(BindingsTest, UnknownMethodIsNotDispatched) {
  auto r = reply();
  EXPECT_FALSE(bindings.dispatch("calc/nope", json::object(), r));
  EXPECT_FALSE(r->replied());
  r->error(ErrorCode::MethodNotFound, "unknown");  // what the session does
  EXPECT_EQ(sent.size(), 1u);
  EXPECT_FALSE(bindings.dispatch("calc/nope", json::object()));
}

TEST_F(BindingsTest, ReplyCanOutliveTheHandler) {
  {
    auto r = reply(9);
    EXPECT_TRUE(bindings.dispatch("calc/addLater", {{"a", 1}, {"b", 1}}, r));
  }
  EXPECT_TRUE(sent.empty());
  ASSERT_TRUE(calc.kept);
  EXPECT_FALSE(calc.kept->replied());
  (*calc.kept)(Sum{7});
  ASSERT_EQ(sent.size(), 1u);
  EXPECT_EQ(sent[0]["id"], 9);
  EXPECT_EQ(sent[0]["result"]["sum"], 7);
  EXPECT_TRUE(calc.kept->replied());
  calc.kept.reset();
  EXPECT_EQ(sent.size(), 1u);
}

TEST_F(BindingsTest, NotificationsAreParsedAndBadOnesIgnored) {
  EXPECT_TRUE(bindings.dispatch("calc/note", {{"a", 1}, {"b", 2}}));
  EXPECT_TRUE(bindings.dispatch("calc/note", {{"a", 1}}));  // bad params: logged, handler not run
  EXPECT_TRUE(bindings.dispatch("calc/badNote", json::object()));  // throws: logged, swallowed
  EXPECT_EQ(calc.notified, std::vector<int>{3});
}

TEST_F(BindingsTest, RequestRawAndMethodList) {
  bindings.requestRaw("calc/raw", [](const json& params, std::shared_ptr<ReplyOnce> r) { r->result(params); });
  EXPECT_EQ(call("calc/raw", json::array({1, "x"}))["result"], json::array({1, "x"}));
  EXPECT_EQ(bindings.requestMethods(),
            (std::vector<std::string>{"calc/add", "calc/addLater", "calc/fail", "calc/raw", "initialize", "sysimage/ping"}));
}

TEST(BindingsDescribe, PrefixesParams) {
  EXPECT_EQ(Bindings::describe(protocol::FieldError("/a/0", "is required")), "at /params/a/0: is required");
  EXPECT_EQ(Bindings::describe(protocol::FieldError("", "must be an object")), "at /params: must be an object");
}

// --- ReplyOnce and cancellation on their own

TEST(ReplyOnce, DestructorAnswersInternalErrorWhenUnanswered) {
  std::vector<json> sent;
  { ReplyOnce r(json("x"), "m", [&](json m) { sent.push_back(m); }); }
  ASSERT_EQ(sent.size(), 1u);
  EXPECT_EQ(sent[0]["id"], "x");
  EXPECT_EQ(errorCode(sent[0]), -32603);
}

TEST(ReplyOnce, CancelAnswersOnceAndDropsLaterAnswersSilently) {
  std::vector<json> sent;
  int fired = 0;
  {
    ReplyOnce r(json(3), "m", [&](json m) { sent.push_back(m); });
    r.cancellation().onCancel([&] { ++fired; });
    r.cancel();
    r.cancel();
    r.result(1);
    r.error(ErrorCode::RequestFailed, "late");
    EXPECT_TRUE(r.replied());
  }
  ASSERT_EQ(sent.size(), 1u);
  EXPECT_EQ(errorCode(sent[0]), -32800);
  EXPECT_EQ(fired, 1);
}

TEST(ReplyOnce, AbandonFiresTheTokenAndNeverSends) {
  std::vector<json> sent;
  {
    ReplyOnce r(json(4), "m", [&](json m) { sent.push_back(m); });
    int fired = 0;
    r.cancellation().onCancel([&] { ++fired; });
    r.abandon();
    EXPECT_EQ(fired, 1);
    r.error(ErrorCode::RequestFailed, "late");
  }
  EXPECT_TRUE(sent.empty());
}

TEST(ReplyOnce, CancelAfterTheAnswerOnlyFiresTheToken) {
  std::vector<json> sent;
  ReplyOnce r(json(3), "m", [&](json m) { sent.push_back(m); });
  r.result(json::object());
  r.cancel();
  EXPECT_EQ(sent.size(), 1u);
  EXPECT_TRUE(r.cancellation().cancelled());
}

}  // namespace
}  // namespace sysimage::lsp::testing
