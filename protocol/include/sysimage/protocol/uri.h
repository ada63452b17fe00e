// file:// URIs <-> filesystem paths, as LSP clients send them (RFC 8089, percent-encoded).
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace sysimage::protocol {

/// `file:///a%20b/c` → `/a b/c`. A plain absolute path is returned unchanged.
/// Returns nullopt for other schemes, relative paths, bad percent-escapes or an escaped NUL (%00).
std::optional<std::string> uriToPath(std::string_view uriOrPath);

/// `/a b/c` → `file:///a%20b/c` (unreserved characters and `/` kept).
std::string pathToUri(std::string_view path);

}  // namespace sysimage::protocol
