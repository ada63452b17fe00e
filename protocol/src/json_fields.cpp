// Field readers with JSON-path errors.
#include "sysimage/protocol/json_fields.h"

#include <cstring>

namespace sysimage::protocol {

namespace detail {
std::string cleanJsonMessage(const char* what) {
  const char* p = what;
  if (p[0] == '[') {
    if (const char* close = std::strchr(p, ']')) p = close + 1;
    while (*p == ' ') ++p;
  }
  return p;
}
}  // namespace detail

void requireObject(const nlohmann::json& j) {
  if (!j.is_object()) throw FieldError("", std::string("must be an object, but is ") + j.type_name());
}

}  // namespace sysimage::protocol
