// Parsing `--listen` addresses; only loopback TCP addresses are accepted.
#include "server/transport/listen_address.h"

#include <boost/asio/ip/address.hpp>

#include <charconv>

namespace sysimage::transport {

ListenAddress parseListenAddress(std::string_view text) {
  ListenAddress a;
  if (text.starts_with("unix:")) {
    a.kind = ListenAddress::Kind::Unix;
    a.path = std::string(text.substr(5));
    if (a.path.empty()) throw ListenAddressError("unix: needs a socket path, e.g. unix:/tmp/sysimage.sock");
    if (a.path.size() >= 108) throw ListenAddressError("unix socket path is too long (at most 107 bytes): " + a.path);
    return a;
  }
  if (!text.starts_with("tcp:")) {
    throw ListenAddressError("unknown listen address '" + std::string(text) +
                             "': use tcp:127.0.0.1:PORT or unix:PATH");
  }
  std::string_view rest = text.substr(4);
  const std::size_t colon = rest.rfind(':');
  if (colon == std::string_view::npos) throw ListenAddressError("tcp: needs HOST:PORT, e.g. tcp:127.0.0.1:0");
  std::string_view host = rest.substr(0, colon);
  const std::string_view portText = rest.substr(colon + 1);
  unsigned port = 0;
  const auto [ptr, ec] = std::from_chars(portText.data(), portText.data() + portText.size(), port);
  if (portText.empty() || ec != std::errc() || ptr != portText.data() + portText.size() || port > 65535) {
    throw ListenAddressError("invalid TCP port '" + std::string(portText) + "' (0-65535; 0 picks a free port)");
  }
  if (host.size() >= 2 && host.front() == '[' && host.back() == ']') host = host.substr(1, host.size() - 2);
  if (host == "localhost") host = "127.0.0.1";
  boost::system::error_code bad;
  const auto ip = boost::asio::ip::make_address(std::string(host), bad);
  if (bad) throw ListenAddressError("invalid IP address '" + std::string(host) + "'");
  if (!ip.is_loopback()) {
    throw ListenAddressError("refusing to listen on non-loopback address " + std::string(host) +
                             ": the server runs programs for its clients, so it only binds 127.0.0.0/8 or ::1");
  }
  a.host = ip.to_string();
  a.port = static_cast<std::uint16_t>(port);
  return a;
}

std::string formatListenAddress(const ListenAddress& a) {
  if (a.kind == ListenAddress::Kind::Unix) return "unix:" + a.path;
  if (a.host.find(':') != std::string::npos) return "tcp:[" + a.host + "]:" + std::to_string(a.port);
  return "tcp:" + a.host + ":" + std::to_string(a.port);
}

}  // namespace sysimage::transport
