// Stdio connection and TCP / Unix socket listeners over Boost.Asio.
#include "server/transport/transports.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <utility>  // before Asio: Boost 1.74 awaitable.hpp uses std::exchange without it
#include <boost/asio.hpp>
#include <filesystem>
#include <spdlog/spdlog.h>
#include <system_error>

#include "server/transport/stream_connection.h"

namespace sysimage::transport {
namespace asio = boost::asio;
using asio::local::stream_protocol;
using asio::ip::tcp;

namespace {

/// Marks `fd` close-on-exec. The server starts Julia processes (probes, builds, measurements) that
/// would otherwise inherit the listening and client sockets: a client would then not see its
/// session end when the server dies while such a process lives on, and the port would stay taken.
/// (Asio opens sockets without SOCK_CLOEXEC; a process started on another thread in the instant
/// between the two calls could still inherit one.)
void closeOnExec(int fd) {
  const int flags = ::fcntl(fd, F_GETFD);
  if (flags >= 0) ::fcntl(fd, F_SETFD, flags | FD_CLOEXEC);
}

}  // namespace

std::shared_ptr<Connection> makeStdioConnection(asio::io_context& io, protocol::FramingLimits limits) {
  using Fd = asio::posix::stream_descriptor;
  // Duplicate so that closing the connection does not close fd 0/1 under the C library; the copies
  // are close-on-exec so that child processes do not keep the editor's pipes open.
  Fd in(io, ::fcntl(STDIN_FILENO, F_DUPFD_CLOEXEC, 0));
  Fd out(io, ::fcntl(STDOUT_FILENO, F_DUPFD_CLOEXEC, 0));
  return std::make_shared<StreamConnection<Fd>>(std::move(in), std::move(out), "stdio", limits);
}

namespace {

template <class Protocol>
class AcceptorListener : public Listener, public std::enable_shared_from_this<AcceptorListener<Protocol>> {
 public:
  AcceptorListener(asio::io_context& io, typename Protocol::acceptor acceptor, ListenAddress address,
                   protocol::FramingLimits limits, AcceptHandler onAccept)
      : io_(io), acceptor_(std::move(acceptor)), address_(std::move(address)), limits_(limits), onAccept_(std::move(onAccept)) {}

  ~AcceptorListener() override { stop(); }

  void acceptNext() {
    acceptor_.async_accept([this, alive = alive_](const boost::system::error_code& ec, typename Protocol::socket socket) {
      if (!*alive) return;
      if (ec) {
        if (ec == asio::error::operation_aborted) return;
        spdlog::warn("accept on {} failed: {}", formatListenAddress(address_), ec.message());
      } else {
        closeOnExec(socket.native_handle());
        std::string description = formatListenAddress(address_);
        if constexpr (std::is_same_v<Protocol, tcp>) {
          boost::system::error_code ignored;
          socket.set_option(tcp::no_delay(true), ignored);
          auto remote = socket.remote_endpoint(ignored);
          description = "tcp client " + remote.address().to_string() + ":" + std::to_string(remote.port());
        } else {
          description = "unix client #" + std::to_string(++clients_);
        }
        onAccept_(std::make_shared<StreamConnection<typename Protocol::socket>>(std::move(socket), description, limits_));
      }
      acceptNext();
    });
  }

  ListenAddress address() const override { return address_; }

  void stop() override {
    if (!*alive_) return;
    *alive_ = false;
    boost::system::error_code ignored;
    acceptor_.close(ignored);
    std::error_code fsIgnored;
    if (address_.kind == ListenAddress::Kind::Unix) std::filesystem::remove(address_.path, fsIgnored);
  }

 private:
  asio::io_context& io_;
  typename Protocol::acceptor acceptor_;
  ListenAddress address_;
  protocol::FramingLimits limits_;
  AcceptHandler onAccept_;
  std::shared_ptr<bool> alive_ = std::make_shared<bool>(true);
  unsigned clients_ = 0;
};

[[noreturn]] void fail(const boost::system::error_code& ec, const std::string& what) {
  throw std::system_error(ec.value(), std::generic_category(), what);
}

std::unique_ptr<Listener> listenTcp(asio::io_context& io, ListenAddress address, protocol::FramingLimits limits,
                                    AcceptHandler onAccept) {
  boost::system::error_code ec;
  tcp::endpoint endpoint(asio::ip::make_address(address.host), address.port);
  tcp::acceptor acceptor(io);
  acceptor.open(endpoint.protocol(), ec);
  if (!ec) closeOnExec(acceptor.native_handle());
  if (!ec) acceptor.set_option(tcp::acceptor::reuse_address(true), ec);
  if (!ec) acceptor.bind(endpoint, ec);
  if (!ec) acceptor.listen(asio::socket_base::max_listen_connections, ec);
  if (ec) fail(ec, "cannot listen on " + formatListenAddress(address) + ": " + ec.message());
  address.port = acceptor.local_endpoint().port();
  auto listener = std::make_unique<AcceptorListener<tcp>>(io, std::move(acceptor), address, limits, std::move(onAccept));
  listener->acceptNext();
  return listener;
}

std::unique_ptr<Listener> listenUnix(asio::io_context& io, ListenAddress address, protocol::FramingLimits limits,
                                     AcceptHandler onAccept) {
  namespace fs = std::filesystem;
  boost::system::error_code ec;
  std::error_code fsEc;
  if (fs::exists(fs::symlink_status(address.path, fsEc))) {
    if (!fs::is_socket(fs::symlink_status(address.path, fsEc))) {
      throw std::system_error(EEXIST, std::generic_category(),
                              "cannot listen on " + address.path + ": a file that is not a socket is in the way");
    }
    stream_protocol::socket probe(io);
    probe.connect(stream_protocol::endpoint(address.path), ec);
    if (!ec) {
      throw std::system_error(EADDRINUSE, std::generic_category(),
                              "cannot listen on " + address.path + ": another server is already listening there");
    }
    fs::remove(address.path, fsEc);  // stale socket of a server that died
    ec.clear();
  }
  stream_protocol::acceptor acceptor(io);
  acceptor.open(stream_protocol(), ec);
  if (!ec) closeOnExec(acceptor.native_handle());
  if (!ec) {
    // Create the socket file with mode 0600 from the start: no window where others could connect.
    const mode_t old = ::umask(0177);
    acceptor.bind(stream_protocol::endpoint(address.path), ec);
    ::umask(old);
  }
  if (!ec) acceptor.listen(asio::socket_base::max_listen_connections, ec);
  if (ec) fail(ec, "cannot listen on unix:" + address.path + ": " + ec.message());
  ::chmod(address.path.c_str(), 0600);
  auto listener =
      std::make_unique<AcceptorListener<stream_protocol>>(io, std::move(acceptor), address, limits, std::move(onAccept));
  listener->acceptNext();
  return listener;
}

}  // namespace

std::unique_ptr<Listener> listen(asio::io_context& io, const ListenAddress& address, protocol::FramingLimits limits,
                                 AcceptHandler onAccept) {
  if (address.kind == ListenAddress::Kind::Tcp) return listenTcp(io, address, limits, std::move(onAccept));
  return listenUnix(io, address, limits, std::move(onAccept));
}

}  // namespace sysimage::transport
