// The access token that TCP clients must present: any local process can reach a loopback port,
// but only the user's own editors can read the token (docs/protocol.md, "Access token").
#pragma once

#include <stdexcept>
#include <string>
#include <string_view>

namespace sysimage::transport {

/// Thrown for a token text that is too short or has characters outside [A-Za-z0-9._~-].
class AccessTokenError : public std::invalid_argument {
  using std::invalid_argument::invalid_argument;
};

/// A secret shared by the server and its clients through a file only the user can read.
/// The text is URL-safe, so that it fits in a connection string (`tcp:HOST:PORT?token=TEXT`).
class AccessToken {
 public:
  /// Fewest characters a token read from a file may have (generated tokens have 64).
  static constexpr std::size_t kMinLength = 32;

  /// 32 bytes from the kernel's random source (getrandom(2)) as 64 lowercase hex digits (256 bits).
  /// Errors: std::system_error when the kernel has no randomness to give.
  static AccessToken generate();

  /// A token given by the user (e.g. read from `--token-file`), surrounding whitespace removed.
  /// Errors: AccessTokenError naming what is wrong (the message never contains the text).
  static AccessToken fromText(std::string_view text);

  /// Whether `presented` is this token. Takes the same time wherever the first difference is, so
  /// that timing does not reveal a prefix (only the length of `presented` may show).
  bool matches(std::string_view presented) const noexcept;

  /// The secret itself: for the token file and the connection string, never for logs.
  const std::string& text() const { return text_; }

 private:
  explicit AccessToken(std::string text) : text_(std::move(text)) {}
  std::string text_;
};

}  // namespace sysimage::transport
