// The token file of `serve --listen tcp:…`: where it lives, and reading/writing it so that only the
// user can read it (docs/protocol.md, "Access token").
#pragma once

#include <filesystem>
#include <stdexcept>

#include "server/transport/access_token.h"
#include "server/transport/listen_address.h"

namespace sysimage::app {

/// A token file that cannot be used; the message names the file and what to do.
class TokenFileError : public std::runtime_error {
  using std::runtime_error::runtime_error;
};

/// Where `serve` writes the token of the TCP listener `address` when no `--token-file` is given:
/// `<dir>/sysimage-server/tcp-<host>-<port>.token` (e.g. `tcp-127.0.0.1-40123.token`, `tcp-::1-5007.token`),
/// with <dir> = $XDG_RUNTIME_DIR when set, else $XDG_STATE_HOME, else ~/.local/state. Clients on
/// the same account compute the same path from the address they connect to.
std::filesystem::path defaultTokenFile(const transport::ListenAddress& address);

/// Reads a token (one line; surrounding whitespace ignored). Errors: TokenFileError when the file
/// cannot be read, is not a regular file, belongs to another user, can be read or written by group
/// or others (`chmod 600` it), or holds no valid token (transport::AccessToken::fromText).
transport::AccessToken readTokenFile(const std::filesystem::path& path);

/// Writes `token` and a newline to `path`, atomically, readable by the user alone (mode 0600 from
/// the moment the file exists). A missing parent directory is created with mode 0700 when `makeDir`;
/// an existing one of the user's is narrowed to 0700 then. Errors: TokenFileError (directory or
/// file of another user, I/O errors).
void writeTokenFile(const std::filesystem::path& path, const transport::AccessToken& token, bool makeDir);

}  // namespace sysimage::app
