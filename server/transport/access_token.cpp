// AccessToken: generation from getrandom(2), validation and constant-time comparison.
#include "server/transport/access_token.h"

#include <sys/random.h>

#include <array>
#include <cerrno>
#include <cstdint>
#include <spdlog/fmt/fmt.h>  // fmt::join: hex digits without a helper of our own
#include <system_error>

namespace sysimage::transport {

AccessToken AccessToken::generate() {
  std::array<std::uint8_t, 32> bytes{};
  std::size_t filled = 0;
  while (filled < bytes.size()) {
    // Blocks only until the kernel's pool is initialised at boot; never returns weak bytes.
    const ssize_t n = ::getrandom(bytes.data() + filled, bytes.size() - filled, 0);
    if (n < 0) {
      if (errno == EINTR) continue;
      throw std::system_error(errno, std::generic_category(), "cannot create an access token: getrandom");
    }
    filled += static_cast<std::size_t>(n);
  }
  return AccessToken(fmt::format("{:02x}", fmt::join(bytes, "")));
}

AccessToken AccessToken::fromText(std::string_view text) {
  const auto first = text.find_first_not_of(" \t\r\n");
  const auto last = text.find_last_not_of(" \t\r\n");
  text = first == std::string_view::npos ? std::string_view() : text.substr(first, last - first + 1);
  if (text.size() < kMinLength) {
    throw AccessTokenError("the access token is too short: " + std::to_string(text.size()) + " characters, at least " +
                           std::to_string(kMinLength) + " are needed");
  }
  for (const char c : text) {
    const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' ||
                    c == '_' || c == '~' || c == '-';
    if (!ok) throw AccessTokenError("the access token may only hold letters, digits and . _ ~ -");
  }
  return AccessToken(std::string(text));
}

bool AccessToken::matches(std::string_view presented) const noexcept {
  // Every byte of the token is compared, whatever matched before (no early exit).
  unsigned char diff = presented.size() == text_.size() ? 0 : 1;
  for (std::size_t i = 0; i < text_.size(); ++i) {
    const unsigned char other = i < presented.size() ? static_cast<unsigned char>(presented[i]) : 0;
    diff |= static_cast<unsigned char>(static_cast<unsigned char>(text_[i]) ^ other);
  }
  return diff == 0;
}

}  // namespace sysimage::transport
