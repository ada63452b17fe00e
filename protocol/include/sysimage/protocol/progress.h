// Work done progress: $/progress values and window/workDoneProgress/{create,cancel}.
//
// Spec: https://microsoft.github.io/language-server-protocol/specifications/lsp/3.17/specification/#workDoneProgress
#pragma once

#include <nlohmann/json.hpp>

#include <optional>
#include <string>

namespace sysimage::protocol {

/// A progress token: an integer or a string, kept as JSON.
using ProgressToken = nlohmann::json;

/// `kind: "begin"`. `percentage` is 0–100.
struct WorkDoneProgressBegin {
  std::string title;
  bool cancellable = false;
  std::optional<std::string> message;
  std::optional<unsigned> percentage;
};
void to_json(nlohmann::json& j, const WorkDoneProgressBegin& v);

/// `kind: "report"`.
struct WorkDoneProgressReport {
  std::optional<bool> cancellable;
  std::optional<std::string> message;
  std::optional<unsigned> percentage;
};
void to_json(nlohmann::json& j, const WorkDoneProgressReport& v);

/// `kind: "end"`.
struct WorkDoneProgressEnd {
  std::optional<std::string> message;
};
void to_json(nlohmann::json& j, const WorkDoneProgressEnd& v);

/// `$/progress` params.
struct ProgressParams {
  ProgressToken token;
  nlohmann::json value;
};
void to_json(nlohmann::json& j, const ProgressParams& p);

/// `window/workDoneProgress/create` and `window/workDoneProgress/cancel` params.
struct WorkDoneProgressTokenParams {
  ProgressToken token;
};
void to_json(nlohmann::json& j, const WorkDoneProgressTokenParams& p);
void from_json(const nlohmann::json& j, WorkDoneProgressTokenParams& p);

}  // namespace sysimage::protocol
