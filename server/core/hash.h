// FNV-1a 64 hashing and its text forms: the one hash of change-detection keys, store names and sidecars.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace sysimage::core {

/// Streaming FNV-1a 64 (http://www.isthe.com/chongo/tech/comp/fnv/), for data that is not in one
/// buffer. Stable across builds and machines, unlike std::hash; not cryptographic.
class Fnv1a64 {
 public:
  void update(std::string_view bytes);
  void updateU64(std::uint64_t value);  ///< 8 bytes, little endian
  std::uint64_t value() const { return state_; }
  std::string hex() const;              ///< hashText(value())

 private:
  std::uint64_t state_ = 0xcbf29ce484222325ULL;
};

/// FNV-1a 64 of `bytes`.
std::uint64_t fnv1a64(std::string_view bytes);

/// 16 lower-case hex digits, zero-padded: "00000000deadbeef".
std::string hex16(std::uint64_t value);

/// "fnv1a64:" + hex16(hash): how hashes appear in sidecars, keys and the protocol.
std::string hashText(std::uint64_t hash);

/// hashText(fnv1a64(bytes)). Used as a change-detection key (manifest bytes, source trees), not as
/// a cryptographic hash: SHA-256 would need a dependency the project does not have (none of
/// toml++, nlohmann_json, spdlog, Boost's public API provide one).
std::string hashBytes(std::string_view bytes);

}  // namespace sysimage::core
