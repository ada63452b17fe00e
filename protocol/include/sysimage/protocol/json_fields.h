// Reading message structs from JSON with errors that name the JSON path (for InvalidParams replies).
#pragma once

#include <nlohmann/json.hpp>

#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <type_traits>
#include <vector>

namespace sysimage::protocol {

/// Thrown by the field readers below (and by from_json of message structs) when a value has the
/// wrong shape. `path` is a JSON Pointer relative to the value being read ("/options/cpuTarget").
/// The binding layer turns it into an InvalidParams (-32602) reply; handlers never see it.
class FieldError : public std::runtime_error {
 public:
  FieldError(std::string path, std::string detail)
      : std::runtime_error(path.empty() ? detail : path + ": " + detail), path_(std::move(path)), detail_(std::move(detail)) {}
  const std::string& path() const { return path_; }
  const std::string& detail() const { return detail_; }
  /// The same error one level further out: `prefix` + path.
  FieldError nested(std::string_view prefix) const { return FieldError(std::string(prefix) + path_, detail_); }

 private:
  std::string path_;
  std::string detail_;
};

namespace detail {
/// nlohmann's messages start with "[json.exception.type_error.302] "; keep only the readable part.
std::string cleanJsonMessage(const char* what);

template <class T>
struct IsVector : std::false_type {};
template <class U, class A>
struct IsVector<std::vector<U, A>> : std::true_type {};

template <class T>
T convert(const nlohmann::json& j, std::string_view key) {
  try {
    if constexpr (IsVector<T>::value) {
      // Element by element, so that an error names the index ("/workspaceFolders/1/name").
      if (!j.is_array()) throw FieldError("", std::string("must be an array, but is ") + j.type_name());
      T out;
      out.reserve(j.size());
      for (std::size_t i = 0; i < j.size(); ++i) out.push_back(convert<typename T::value_type>(j[i], std::to_string(i)));
      return out;
    } else {
      return j.get<T>();
    }
  } catch (const FieldError& e) {
    throw e.nested("/" + std::string(key));
  } catch (const nlohmann::json::exception& e) {
    throw FieldError("/" + std::string(key), cleanJsonMessage(e.what()));
  }
}
}  // namespace detail

/// Throws FieldError("", "must be an object") unless `j` is an object.
void requireObject(const nlohmann::json& j);

/// Reads required member `key` of object `j` into `out`. Errors: FieldError naming the path.
template <class T>
void readField(const nlohmann::json& j, std::string_view key, T& out) {
  requireObject(j);
  const auto it = j.find(key);
  if (it == j.end()) throw FieldError("/" + std::string(key), "is required");
  out = detail::convert<T>(*it, key);
}

/// Reads optional member `key`; absent or null leaves `out` unchanged.
template <class T>
void readOptional(const nlohmann::json& j, std::string_view key, T& out) {
  requireObject(j);
  const auto it = j.find(key);
  if (it == j.end() || it->is_null()) return;
  out = detail::convert<T>(*it, key);
}

/// Reads optional member `key` into an optional; absent or null gives nullopt.
template <class T>
void readOptional(const nlohmann::json& j, std::string_view key, std::optional<T>& out) {
  requireObject(j);
  const auto it = j.find(key);
  if (it == j.end() || it->is_null()) {
    out.reset();
    return;
  }
  out = detail::convert<T>(*it, key);
}

/// Converts request params to T. `params` null (absent) is read as an empty object.
/// Errors: FieldError with a path relative to params.
template <class T>
T parseParams(const nlohmann::json& params) {
  static const nlohmann::json kEmpty = nlohmann::json::object();
  const nlohmann::json& value = params.is_null() ? kEmpty : params;
  try {
    return value.get<T>();
  } catch (const FieldError&) {
    throw;
  } catch (const nlohmann::json::exception& e) {
    throw FieldError("", detail::cleanJsonMessage(e.what()));
  }
}

}  // namespace sysimage::protocol
