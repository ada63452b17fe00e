// FNV-1a 64 hashing and its text forms.
#include "server/core/hash.h"

namespace sysimage::core {

void Fnv1a64::update(std::string_view bytes) {
  for (unsigned char c : bytes) state_ = (state_ ^ c) * 0x100000001b3ULL;
}

void Fnv1a64::updateU64(std::uint64_t value) {
  for (int i = 0; i < 8; ++i) state_ = (state_ ^ ((value >> (8 * i)) & 0xff)) * 0x100000001b3ULL;
}

std::string Fnv1a64::hex() const { return hashText(state_); }

std::uint64_t fnv1a64(std::string_view bytes) {
  Fnv1a64 h;
  h.update(bytes);
  return h.value();
}

std::string hex16(std::uint64_t value) {
  static constexpr char kDigits[] = "0123456789abcdef";
  std::string out(16, '0');
  for (int i = 15; i >= 0; --i, value >>= 4) out[static_cast<std::size_t>(i)] = kDigits[value & 0xf];
  return out;
}

std::string hashText(std::uint64_t hash) { return "fnv1a64:" + hex16(hash); }

std::string hashBytes(std::string_view bytes) { return hashText(fnv1a64(bytes)); }

}  // namespace sysimage::core
