// JSON conversions of the custom sysimage/… messages.
#include "sysimage/protocol/sysimage.h"

#include "sysimage/protocol/json_fields.h"

namespace sysimage::protocol::sysimage {

void to_json(nlohmann::json& j, const ServerInfoResult& r) {
  j = nlohmann::json{{"version", r.version}, {"protocolVersion", r.protocolVersion}, {"pid", r.pid}};
}

void from_json(const nlohmann::json& j, PingParams& p) {
  readOptional(j, "delayMs", p.delayMs);
  if (p.delayMs < 0 || p.delayMs > 60000) throw FieldError("/delayMs", "must be between 0 and 60000");
}

}  // namespace sysimage::protocol::sysimage
