// LSP base protocol framing: splits a byte stream into message bodies delimited by headers.
//
// Format (https://microsoft.github.io/language-server-protocol/specifications/lsp/3.17/specification/#baseProtocol):
//   Content-Length: <bytes>\r\n
//   [Content-Type: application/vscode-jsonrpc; charset=utf-8\r\n]
//   \r\n
//   <body of exactly <bytes> bytes, UTF-8>
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

namespace sysimage::protocol {

/// Limits of the frame parser. Sizes are in bytes.
struct FramingLimits {
  std::size_t maxBodyBytes = 64u * 1024u * 1024u;  ///< larger frames are skipped and reported
  std::size_t maxHeaderBytes = 8u * 1024u;         ///< a header block longer than this is garbage
};

/// A framing problem. The parser has already resynchronised when it reports one; `skippedBytes`
/// says how much input was thrown away because of it (for logs).
struct FrameError {
  enum class Kind {
    MissingContentLength,   ///< header block without Content-Length
    InvalidContentLength,   ///< not a non-negative decimal number
    DuplicateHeader,        ///< Content-Length (or another header) given twice
    InvalidHeaderLine,      ///< a line that is not `Name: value`
    HeaderTooLong,          ///< no blank line within maxHeaderBytes
    BodyTooLarge,           ///< Content-Length above maxBodyBytes (the body is skipped)
    GarbageBeforeHeader,    ///< bytes before the next `Content-Length:` were dropped
    TruncatedFrame,         ///< the stream ended inside a header or body
  };
  Kind kind;
  std::string message;
  std::size_t skippedBytes = 0;
};

/// One complete message body (the JSON text, not yet parsed).
struct Frame {
  std::string body;
};

using FrameEvent = std::variant<Frame, FrameError>;

/// Incremental frame parser: feed it bytes as they arrive, take the events it produced.
/// Never throws on bad input and never buffers more than maxHeaderBytes + maxBodyBytes.
class FrameParser {
 public:
  explicit FrameParser(FramingLimits limits = {});

  /// Appends `bytes` and appends every frame or error it completes to `out`, in stream order.
  void feed(std::string_view bytes, std::vector<FrameEvent>& out);

  /// Call at end of stream: returns a TruncatedFrame error if a frame was cut off.
  std::optional<FrameError> finish();

  /// Bytes buffered but not yet part of a complete frame.
  std::size_t pendingBytes() const { return buffer_.size() - consumed_; }

 private:
  bool parseOne(std::vector<FrameEvent>& out);
  bool parseHeader(std::vector<FrameEvent>& out);
  void compact();

  FramingLimits limits_;
  std::string buffer_;
  std::size_t consumed_ = 0;                 // bytes of buffer_ already handled
  std::optional<std::size_t> bodyLength_;    // set while reading a body
  std::size_t skipRemaining_ = 0;            // bytes of an oversized body still to drop
};

/// Frames `body` for sending: `Content-Length: N\r\n\r\n<body>`.
std::string frameMessage(std::string_view body);

}  // namespace sysimage::protocol
