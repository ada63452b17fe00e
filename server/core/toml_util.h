// Internal to server/core: parsing a TOML file with toml++ into our ParseError (file, line, column).
#pragma once

#include <toml++/toml.h>

#include <filesystem>
#include <string_view>

#include "server/core/manifest.h"

namespace sysimage::core {

/// Parses `text` (the contents of `file`). Errors: ParseError(syntax) with the position toml++ gives.
inline toml::table parseTomlText(std::string_view text, const std::filesystem::path& file) {
  try {
    return toml::parse(text, file.string());
  } catch (const toml::parse_error& e) {
    throw ParseError(ParseErrorKind::syntax, file, static_cast<int>(e.source().begin.line),
                     static_cast<int>(e.source().begin.column), "", "TOML syntax error: " + std::string(e.description()));
  }
}

}  // namespace sysimage::core
