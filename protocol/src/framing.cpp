// LSP base protocol framing: an incremental, resynchronising Content-Length parser.
#include "sysimage/protocol/framing.h"

#include <algorithm>
#include <cctype>
#include <charconv>

namespace sysimage::protocol {
namespace {

constexpr std::string_view kHeaderEnd = "\r\n\r\n";
constexpr std::string_view kContentLength = "content-length";

bool iequals(std::string_view a, std::string_view b) {
  return a.size() == b.size() &&
         std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
           return std::tolower(static_cast<unsigned char>(x)) == std::tolower(static_cast<unsigned char>(y));
         });
}

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

// Position of the next "Content-Length:" (any case) at or after `from`, or npos.
std::size_t findContentLength(std::string_view s, std::size_t from) {
  for (std::size_t i = from; i + kContentLength.size() < s.size(); ++i) {
    if (iequals(s.substr(i, kContentLength.size()), kContentLength) && s[i + kContentLength.size()] == ':') return i;
  }
  return std::string_view::npos;
}

bool validHeaderName(std::string_view name) {
  if (name.empty()) return false;
  return std::all_of(name.begin(), name.end(), [](char c) {
    return std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '_';
  });
}

}  // namespace

FrameParser::FrameParser(FramingLimits limits) : limits_(limits) {}

void FrameParser::feed(std::string_view bytes, std::vector<FrameEvent>& out) {
  if (skipRemaining_ > 0) {
    const std::size_t n = std::min(skipRemaining_, bytes.size());
    skipRemaining_ -= n;
    bytes.remove_prefix(n);
  }
  buffer_.append(bytes);
  while (parseOne(out)) {
  }
  compact();
}

void FrameParser::compact() {
  if (consumed_ == buffer_.size()) {
    buffer_.clear();
    consumed_ = 0;
  } else if (consumed_ > 64 * 1024 && consumed_ > buffer_.size() / 2) {
    buffer_.erase(0, consumed_);
    consumed_ = 0;
  }
}

bool FrameParser::parseOne(std::vector<FrameEvent>& out) {
  if (skipRemaining_ > 0) {
    const std::size_t n = std::min(skipRemaining_, buffer_.size() - consumed_);
    skipRemaining_ -= n;
    consumed_ += n;
    if (skipRemaining_ > 0) return false;
  }
  if (bodyLength_) {
    if (buffer_.size() - consumed_ < *bodyLength_) return false;
    out.emplace_back(Frame{buffer_.substr(consumed_, *bodyLength_)});
    consumed_ += *bodyLength_;
    bodyLength_.reset();
    return true;
  }
  return parseHeader(out);
}

bool FrameParser::parseHeader(std::vector<FrameEvent>& out) {
  std::string_view pending(buffer_);
  pending.remove_prefix(consumed_);
  if (pending.empty()) return false;

  // Drop anything before the first header name we can recognise. A header block must start with a
  // header line; leftovers of a previous bad frame (a body whose length we could not know) do not.
  const std::size_t end = pending.find(kHeaderEnd);
  const std::string_view block = end == std::string_view::npos ? pending : pending.substr(0, end);
  {
    const std::size_t colon = block.find(':');
    const std::size_t eol = block.find("\r\n");
    const bool startsWithHeader =
        colon != std::string_view::npos && (eol == std::string_view::npos || colon < eol) &&
        validHeaderName(block.substr(0, colon));
    if (!startsWithHeader && (end != std::string_view::npos || block.size() > kContentLength.size() + 1)) {
      const std::size_t next = findContentLength(pending, 1);
      if (next != std::string_view::npos) {
        out.emplace_back(FrameError{FrameError::Kind::GarbageBeforeHeader,
                                    "dropped " + std::to_string(next) + " bytes that were not a message header", next});
        consumed_ += next;
        return true;
      }
      if (end != std::string_view::npos) {
        out.emplace_back(FrameError{FrameError::Kind::InvalidHeaderLine, "invalid header line",
                                    end + kHeaderEnd.size()});
        consumed_ += end + kHeaderEnd.size();
        return true;
      }
    }
  }

  if (end == std::string_view::npos) {
    if (pending.size() > limits_.maxHeaderBytes) {
      // Keep a possible start of the next header; drop the rest.
      std::size_t next = findContentLength(pending, 1);
      const std::size_t drop = next == std::string_view::npos ? pending.size() : next;
      out.emplace_back(FrameError{FrameError::Kind::HeaderTooLong,
                                  "no end of header within " + std::to_string(limits_.maxHeaderBytes) + " bytes",
                                  drop});
      consumed_ += drop;
      return next != std::string_view::npos;
    }
    return false;  // wait for more bytes
  }

  const std::size_t blockBytes = end + kHeaderEnd.size();
  std::optional<std::size_t> length;
  std::optional<FrameError> error;
  bool sawContentType = false;
  bool sawContentLength = false;
  std::size_t pos = 0;
  // After the first error keep reading the block: a Content-Length found in it still says how many
  // body bytes to skip to stay in sync.
  while (pos <= block.size()) {
    std::size_t eol = block.find("\r\n", pos);
    if (eol == std::string_view::npos) eol = block.size();
    const std::string_view line = block.substr(pos, eol - pos);
    pos = eol + 2;
    const std::size_t colon = line.find(':');
    if (colon == std::string_view::npos || !validHeaderName(line.substr(0, colon))) {
      if (!error) error = FrameError{FrameError::Kind::InvalidHeaderLine, "invalid header line", blockBytes};
      continue;
    }
    const std::string_view name = line.substr(0, colon);
    const std::string_view value = trim(line.substr(colon + 1));
    if (iequals(name, kContentLength)) {
      if (sawContentLength) {
        if (!error) error = FrameError{FrameError::Kind::DuplicateHeader, "duplicate Content-Length header", blockBytes};
        continue;
      }
      sawContentLength = true;
      std::size_t n = 0;
      const auto [ptr, ec] = std::from_chars(value.data(), value.data() + value.size(), n);
      if (value.empty() || ec != std::errc() || ptr != value.data() + value.size()) {
        if (!error) {
          error = FrameError{FrameError::Kind::InvalidContentLength,
                             "Content-Length is not a non-negative decimal number: '" + std::string(value.substr(0, 40)) + "'",
                             blockBytes};
        }
        continue;
      }
      length = n;
    } else if (iequals(name, "content-type")) {
      if (sawContentType) {
        if (!error) error = FrameError{FrameError::Kind::DuplicateHeader, "duplicate Content-Type header", blockBytes};
        continue;
      }
      sawContentType = true;
    }
    // Other headers are ignored, as the spec allows.
  }
  if (!error && !length) {
    error = FrameError{FrameError::Kind::MissingContentLength, "header without Content-Length", blockBytes};
  }
  consumed_ += blockBytes;
  if (error) {
    // A bad block whose (first) Content-Length parsed: skip that many body bytes to stay in sync.
    if (length && *length <= limits_.maxBodyBytes) {
      skipRemaining_ = *length;
      error->skippedBytes += *length;
    }
    out.emplace_back(std::move(*error));
    return true;
  }
  if (*length > limits_.maxBodyBytes) {
    out.emplace_back(FrameError{FrameError::Kind::BodyTooLarge,
                                "message of " + std::to_string(*length) + " bytes exceeds the limit of " +
                                    std::to_string(limits_.maxBodyBytes) + " bytes",
                                blockBytes + *length});
    skipRemaining_ = *length;
    return true;
  }
  bodyLength_ = *length;
  return true;
}

std::optional<FrameError> FrameParser::finish() {
  const std::size_t pending = pendingBytes();
  if (bodyLength_) {
    return FrameError{FrameError::Kind::TruncatedFrame,
                      "stream ended inside a message body (" + std::to_string(pending) + " of " +
                          std::to_string(*bodyLength_) + " bytes)",
                      pending};
  }
  if (skipRemaining_ > 0) {
    return FrameError{FrameError::Kind::TruncatedFrame, "stream ended inside an oversized message", 0};
  }
  if (pending > 0) {
    return FrameError{FrameError::Kind::TruncatedFrame,
                      "stream ended inside a message header (" + std::to_string(pending) + " bytes)", pending};
  }
  return std::nullopt;
}

std::string frameMessage(std::string_view body) {
  std::string out = "Content-Length: " + std::to_string(body.size()) + "\r\n\r\n";
  out.append(body);
  return out;
}

}  // namespace sysimage::protocol
