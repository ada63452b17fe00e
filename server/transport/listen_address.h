// Parsing and checking `--listen` addresses: `tcp:HOST:PORT` (loopback only) and `unix:PATH`.
#pragma once

#include <cstdint>
#include <stdexcept>
#include <string>
#include <string_view>

namespace sysimage::transport {

/// A parsed `--listen` value.
struct ListenAddress {
  enum class Kind { Tcp, Unix } kind = Kind::Tcp;
  std::string host;        ///< Tcp: a loopback address ("127.0.0.1", "::1"); "localhost" becomes 127.0.0.1
  std::uint16_t port = 0;  ///< Tcp: 0 lets the OS pick one (the chosen port is printed)
  std::string path;        ///< Unix: the socket path
};

/// Thrown for a malformed or refused address; the message says what is wrong and what is allowed.
class ListenAddressError : public std::invalid_argument {
  using std::invalid_argument::invalid_argument;
};

/// Parses "tcp:127.0.0.1:5007", "tcp:[::1]:0", "tcp:localhost:0" or "unix:/path/to.sock".
/// Errors: ListenAddressError for other schemes, a bad port, or a non-loopback host (the server
/// runs programs for its clients, so it never listens on a network interface).
ListenAddress parseListenAddress(std::string_view text);

/// "tcp:127.0.0.1:40123" / "unix:/path" — the form accepted by parseListenAddress.
std::string formatListenAddress(const ListenAddress& address);

}  // namespace sysimage::transport
