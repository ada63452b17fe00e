// JSON conversions of the custom sysimage/… messages.
#include "sysimage/protocol/sysimage.h"

#include "sysimage/protocol/json_fields.h"

namespace sysimage::protocol::sysimage {

void to_json(nlohmann::json& j, const ServerInfoResult& r) {
  j = nlohmann::json{{"version", r.version}, {"protocolVersion", r.protocolVersion}, {"pid", r.pid}};
}

}  // namespace sysimage::protocol::sysimage
