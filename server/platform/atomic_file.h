// atomicWriteFile: replace a file's contents so that readers see the old or the new bytes, never a mix.
#pragma once

#include <filesystem>
#include <string_view>

namespace sysimage::platform {

/// Writes `bytes` to a temporary file in the same directory as `path`, fsyncs it, renames it over
/// `path` and fsyncs the directory, so the new contents survive a crash once this returns. The
/// file gets the mode of the file it replaces, or 0644 (before umask) when new.
/// Errors: throws std::system_error naming `path` and the failed step; the temporary is removed
/// and `path` keeps its old contents.
void atomicWriteFile(const std::filesystem::path& path, std::string_view bytes);

}  // namespace sysimage::platform
