// Field readers and message from_json: errors name the JSON Pointer of the offending value.
#include <gtest/gtest.h>

#include <optional>
#include <string>
#include <vector>

#include "sysimage/protocol/json_fields.h"
#include "sysimage/protocol/lifecycle.h"
#include "sysimage/protocol/progress.h"
#include "sysimage/protocol/sysimage.h"
#include "sysimage/protocol/workspace.h"

namespace fieldtest {

struct Inner {
  std::string name;
  int count = 0;
};
void from_json(const nlohmann::json& j, Inner& v) {
  sysimage::protocol::readField(j, "name", v.name);
  sysimage::protocol::readOptional(j, "count", v.count);
}

struct Outer {
  Inner inner;
  std::optional<Inner> maybe;
  std::vector<Inner> list;
  std::optional<std::vector<Inner>> maybeList;
  std::vector<std::vector<int>> grid;
  bool flag = true;
};
void from_json(const nlohmann::json& j, Outer& v) {
  sysimage::protocol::readField(j, "inner", v.inner);
  sysimage::protocol::readOptional(j, "maybe", v.maybe);
  sysimage::protocol::readOptional(j, "list", v.list);
  sysimage::protocol::readOptional(j, "maybeList", v.maybeList);
  sysimage::protocol::readOptional(j, "grid", v.grid);
  sysimage::protocol::readOptional(j, "flag", v.flag);
}

}  // namespace fieldtest

namespace sysimage::protocol {
namespace {

using nlohmann::json;

/// Parses `text` as T and returns the FieldError's path and detail ("" / "" if it parsed).
template <class T>
std::pair<std::string, std::string> errorOf(const std::string& text) {
  try {
    (void)parseParams<T>(json::parse(text));
  } catch (const FieldError& e) {
    return {e.path(), e.detail()};
  }
  return {"<no error>", ""};
}

template <class T>
std::string pathOf(const std::string& text) {
  return errorOf<T>(text).first;
}

TEST(FieldError, FormatsPathAndDetail) {
  FieldError e("/a/b", "is required");
  EXPECT_STREQ(e.what(), "/a/b: is required");
  EXPECT_EQ(e.nested("/x").path(), "/x/a/b");
  EXPECT_EQ(e.nested("/x").detail(), "is required");
  EXPECT_STREQ(FieldError("", "must be an object, but is array").what(), "must be an object, but is array");
}

TEST(CleanJsonMessage, DropsTheExceptionTag) {
  EXPECT_EQ(detail::cleanJsonMessage("[json.exception.type_error.302] type must be string, but is number"),
            "type must be string, but is number");
  EXPECT_EQ(detail::cleanJsonMessage("plain"), "plain");
  EXPECT_EQ(detail::cleanJsonMessage("[unterminated"), "[unterminated");
  EXPECT_EQ(detail::cleanJsonMessage(""), "");
}

TEST(ReadField, NamesMissingAndMistypedMembers) {
  EXPECT_EQ(errorOf<fieldtest::Inner>(R"({})"), (std::pair<std::string, std::string>{"/name", "is required"}));
  EXPECT_EQ(errorOf<fieldtest::Inner>(R"({"name":3})"),
            (std::pair<std::string, std::string>{"/name", "type must be string, but is number"}));
  EXPECT_EQ(errorOf<fieldtest::Inner>(R"({"name":"x","count":"7"})"),
            (std::pair<std::string, std::string>{"/count", "type must be number, but is string"}));
  EXPECT_EQ(errorOf<fieldtest::Inner>(R"([])"),
            (std::pair<std::string, std::string>{"", "must be an object, but is array"}));
  EXPECT_EQ(errorOf<fieldtest::Inner>(R"("x")"),
            (std::pair<std::string, std::string>{"", "must be an object, but is string"}));
}

TEST(ReadField, NestsPathsOfInnerObjects) {
  EXPECT_EQ(pathOf<fieldtest::Outer>(R"({})"), "/inner");
  EXPECT_EQ(pathOf<fieldtest::Outer>(R"({"inner":{}})"), "/inner/name");
  EXPECT_EQ(pathOf<fieldtest::Outer>(R"({"inner":{"name":false}})"), "/inner/name");
  EXPECT_EQ(pathOf<fieldtest::Outer>(R"({"inner":[]})"), "/inner");
  EXPECT_EQ(pathOf<fieldtest::Outer>(R"({"inner":{"name":"a"},"maybe":{"count":1}})"), "/maybe/name");
  EXPECT_EQ(pathOf<fieldtest::Outer>(R"({"inner":{"name":"a"},"flag":"yes"})"), "/flag");
}

TEST(ReadField, NamesTheIndexOfABadArrayElement) {
  EXPECT_EQ(pathOf<fieldtest::Outer>(R"({"inner":{"name":"a"},"list":[{"name":"b"},{"count":2}]})"), "/list/1/name");
  EXPECT_EQ(pathOf<fieldtest::Outer>(R"({"inner":{"name":"a"},"list":[{"name":"b"},7]})"), "/list/1");
  EXPECT_EQ(pathOf<fieldtest::Outer>(R"({"inner":{"name":"a"},"list":{"name":"b"}})"), "/list");
  EXPECT_EQ(pathOf<fieldtest::Outer>(R"({"inner":{"name":"a"},"maybeList":[{"name":1}]})"), "/maybeList/0/name");
  EXPECT_EQ(pathOf<fieldtest::Outer>(R"({"inner":{"name":"a"},"grid":[[1],[2,"x"]]})"), "/grid/1/1");
}

TEST(ReadOptional, AbsentOrNullKeepsTheDefault) {
  const auto v = parseParams<fieldtest::Outer>(json::parse(R"({"inner":{"name":"a","count":null},"maybe":null,"flag":null})"));
  EXPECT_EQ(v.inner.name, "a");
  EXPECT_EQ(v.inner.count, 0);
  EXPECT_FALSE(v.maybe.has_value());
  EXPECT_TRUE(v.flag);
  EXPECT_TRUE(v.list.empty());
  const auto w = parseParams<fieldtest::Outer>(json::parse(R"({"inner":{"name":"a"},"list":[{"name":"x","count":3}]})"));
  ASSERT_EQ(w.list.size(), 1u);
  EXPECT_EQ(w.list[0].count, 3);
}

TEST(ParseParams, NullParamsAreAnEmptyObject) {
  EXPECT_EQ(pathOf<fieldtest::Inner>("null"), "/name");
  EXPECT_NO_THROW(parseParams<sysimage::PingParams>(json(nullptr)));
}

// The message structs of the protocol name their paths the same way.
TEST(MessagePaths, Initialize) {
  EXPECT_EQ(pathOf<InitializeParams>(R"({"processId":"x"})"), "/processId");
  EXPECT_EQ(pathOf<InitializeParams>(R"({"clientInfo":{}})"), "/clientInfo/name");
  EXPECT_EQ(pathOf<InitializeParams>(R"({"capabilities":[]})"), "/capabilities");
  EXPECT_EQ(pathOf<InitializeParams>(R"({"rootUri":1})"), "/rootUri");
  EXPECT_EQ(pathOf<InitializeParams>(R"({"workspaceFolders":[{"uri":"file:///a","name":"a"},{"uri":"file:///b"}]})"),
            "/workspaceFolders/1/name");
  EXPECT_EQ(pathOf<InitializeParams>(R"({"processId":null,"capabilities":{},"rootUri":null})"), "<no error>");
}

TEST(MessagePaths, Workspace) {
  EXPECT_EQ(pathOf<DidChangeWorkspaceFoldersParams>(R"({})"), "/event");
  EXPECT_EQ(pathOf<DidChangeWorkspaceFoldersParams>(R"({"event":{"added":[]}})"), "/event/removed");
  EXPECT_EQ(pathOf<DidChangeWorkspaceFoldersParams>(R"({"event":{"added":[{"uri":2,"name":"x"}],"removed":[]}})"),
            "/event/added/0/uri");
  EXPECT_EQ(pathOf<ExecuteCommandParams>(R"({})"), "/command");
  EXPECT_EQ(pathOf<ExecuteCommandParams>(R"({"command":"c","arguments":{}})"), "/arguments");
}

TEST(MessagePaths, LifecycleAndProgress) {
  EXPECT_EQ(pathOf<CancelParams>(R"({})"), "/id");
  EXPECT_EQ(pathOf<CancelParams>(R"({"id":true})"), "/id");
  EXPECT_EQ(pathOf<CancelParams>(R"({"id":1.5})"), "/id");
  EXPECT_EQ(pathOf<SetTraceParams>(R"({"value":"loud"})"), "/value");
  EXPECT_EQ(pathOf<WorkDoneProgressTokenParams>(R"({"token":{}})"), "/token");
  EXPECT_EQ(pathOf<sysimage::PingParams>(R"({"delayMs":-1})"), "/delayMs");
  EXPECT_EQ(pathOf<sysimage::PingParams>(R"({"delayMs":"1"})"), "/delayMs");
}

}  // namespace
}  // namespace sysimage::protocol
