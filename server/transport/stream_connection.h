// A Connection over any pair of Boost.Asio streams (read side, write side), used by every transport.
#pragma once

#include <utility>  // before Asio: Boost 1.74 awaitable.hpp uses std::exchange without it
#include <boost/asio.hpp>

#include <array>
#include <deque>
#include <memory>
#include <spdlog/spdlog.h>
#include <string>
#include <vector>

#include "server/transport/connection.h"

namespace sysimage::transport {

/// Reads frames from `ReadStream` and writes frames to `WriteStream` (they may be the same
/// socket). Lives in a shared_ptr so that pending Asio operations keep it alive.
template <class ReadStream, class WriteStream = ReadStream>
class StreamConnection : public Connection, public std::enable_shared_from_this<StreamConnection<ReadStream, WriteStream>> {
 public:
  /// For a socket: the same stream reads and writes.
  StreamConnection(ReadStream stream, std::string description, protocol::FramingLimits limits)
    requires std::is_same_v<ReadStream, WriteStream>
      : reader_(std::move(stream)), writer_(nullptr), description_(std::move(description)), parser_(limits) {}

  /// For stdio: separate read and write descriptors.
  StreamConnection(ReadStream in, WriteStream out, std::string description, protocol::FramingLimits limits)
      : reader_(std::move(in)), writer_(std::make_unique<WriteStream>(std::move(out))),
        description_(std::move(description)), parser_(limits) {}

  void start(ConnectionHandler* handler) override {
    handler_ = handler;
    readMore();
  }

  void send(std::string body) override {
    if (closing_) return;
    queue_.push_back(protocol::frameMessage(body));
    if (queue_.size() == 1) writeNext();
  }

  void close(std::function<void()> done) override {
    if (done) closeDone_.push_back(std::move(done));
    if (streamsClosed_) {
      runCloseDone();
      return;
    }
    if (closing_) return;
    closing_ = true;
    boost::system::error_code ignored;
    reader_.cancel(ignored);
    if (queue_.empty()) shutdownStreams();
  }

  std::string describe() const override { return description_; }

 private:
  WriteStream& writer() {
    if constexpr (std::is_same_v<ReadStream, WriteStream>) {
      return writer_ ? *writer_ : reader_;
    } else {
      return *writer_;
    }
  }

  void readMore() {
    auto self = this->shared_from_this();
    reader_.async_read_some(boost::asio::buffer(readBuffer_), [self](const boost::system::error_code& ec, std::size_t n) {
      self->onRead(ec, n);
    });
  }

  void onRead(const boost::system::error_code& ec, std::size_t n) {
    if (n > 0 && !closing_) {
      events_.clear();
      parser_.feed(std::string_view(readBuffer_.data(), n), events_);
      for (auto& event : events_) {
        if (!handler_) break;
        if (auto* frame = std::get_if<protocol::Frame>(&event)) {
          handler_->onMessage(std::move(frame->body));
        } else {
          handler_->onFrameError(std::get<protocol::FrameError>(event));
        }
      }
    }
    if (closing_) return;
    if (ec) {
      std::string error;
      if (ec != boost::asio::error::eof) error = ec.message();
      if (auto truncated = parser_.finish(); truncated && handler_) handler_->onFrameError(*truncated);
      finish(error);
      return;
    }
    readMore();
  }

  void finish(const std::string& error) {
    if (finished_) return;
    finished_ = true;
    if (auto* h = std::exchange(handler_, nullptr)) h->onClosed(error);
  }

  void writeNext() {
    auto self = this->shared_from_this();
    boost::asio::async_write(writer(), boost::asio::buffer(queue_.front()),
                             [self](const boost::system::error_code& ec, std::size_t) { self->onWritten(ec); });
  }

  void onWritten(const boost::system::error_code& ec) {
    if (ec) {
      spdlog::warn("{}: write failed: {}", description_, ec.message());
      queue_.clear();
      closing_ = true;
      shutdownStreams();
      finish(ec.message());
      return;
    }
    queue_.pop_front();
    if (!queue_.empty()) {
      writeNext();
    } else if (closing_) {
      shutdownStreams();
    }
  }

  void runCloseDone() {
    auto callbacks = std::move(closeDone_);
    closeDone_.clear();
    for (auto& cb : callbacks) cb();
  }

  void shutdownStreams() {
    streamsClosed_ = true;
    boost::system::error_code ignored;
    if constexpr (requires(ReadStream& s) { s.shutdown(boost::asio::socket_base::shutdown_both, ignored); }) {
      reader_.shutdown(boost::asio::socket_base::shutdown_both, ignored);
    }
    reader_.close(ignored);
    if (writer_) writer_->close(ignored);
    finish("");
    runCloseDone();
  }

  ReadStream reader_;
  std::unique_ptr<WriteStream> writer_;
  std::string description_;
  protocol::FrameParser parser_;
  std::vector<protocol::FrameEvent> events_;
  std::array<char, 64 * 1024> readBuffer_{};
  std::deque<std::string> queue_;
  ConnectionHandler* handler_ = nullptr;
  bool closing_ = false;
  bool finished_ = false;
  bool streamsClosed_ = false;
  std::vector<std::function<void()>> closeDone_;
};

}  // namespace sysimage::transport
