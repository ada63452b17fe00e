// JSON conversions of the window and work done progress messages.
#include "sysimage/protocol/json_fields.h"
#include "sysimage/protocol/progress.h"
#include "sysimage/protocol/window.h"

namespace sysimage::protocol {

void to_json(nlohmann::json& j, const LogMessageParams& p) {
  j = nlohmann::json{{"type", static_cast<int>(p.type)}, {"message", p.message}};
}

void to_json(nlohmann::json& j, const MessageActionItem& a) { j = nlohmann::json{{"title", a.title}}; }

void from_json(const nlohmann::json& j, MessageActionItem& a) { readField(j, "title", a.title); }

void to_json(nlohmann::json& j, const ShowMessageRequestParams& p) {
  j = nlohmann::json{{"type", static_cast<int>(p.type)}, {"message", p.message}, {"actions", p.actions}};
}

void to_json(nlohmann::json& j, const WorkDoneProgressBegin& v) {
  j = nlohmann::json{{"kind", "begin"}, {"title", v.title}, {"cancellable", v.cancellable}};
  if (v.message) j["message"] = *v.message;
  if (v.percentage) j["percentage"] = *v.percentage;
}

void to_json(nlohmann::json& j, const WorkDoneProgressReport& v) {
  j = nlohmann::json{{"kind", "report"}};
  if (v.cancellable) j["cancellable"] = *v.cancellable;
  if (v.message) j["message"] = *v.message;
  if (v.percentage) j["percentage"] = *v.percentage;
}

void to_json(nlohmann::json& j, const WorkDoneProgressEnd& v) {
  j = nlohmann::json{{"kind", "end"}};
  if (v.message) j["message"] = *v.message;
}

void to_json(nlohmann::json& j, const ProgressParams& p) { j = nlohmann::json{{"token", p.token}, {"value", p.value}}; }

void to_json(nlohmann::json& j, const WorkDoneProgressTokenParams& p) { j = nlohmann::json{{"token", p.token}}; }

void from_json(const nlohmann::json& j, WorkDoneProgressTokenParams& p) {
  readField(j, "token", p.token);
  if (!p.token.is_string() && !p.token.is_number_integer()) throw FieldError("/token", "must be an integer or a string");
}

}  // namespace sysimage::protocol
