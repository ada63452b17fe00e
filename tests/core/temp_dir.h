// A temporary directory for one test, removed afterwards, with a helper to write files into it.
#pragma once

#include <filesystem>
#include <fstream>
#include <random>
#include <string>

namespace sysimage::core::testing {

class TempDir {
 public:
  explicit TempDir(const std::string& prefix = "core-tests-") {
    std::random_device rd;
    path_ = std::filesystem::temp_directory_path() / (prefix + std::to_string(rd()) + std::to_string(rd()));
    std::filesystem::create_directories(path_);
  }
  ~TempDir() {
    std::error_code ec;
    std::filesystem::remove_all(path_, ec);
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  const std::filesystem::path& path() const { return path_; }
  /// Writes `text` to `rel` (relative to the directory), creating parent directories.
  void write(const std::filesystem::path& rel, const std::string& text) const {
    std::filesystem::create_directories((path_ / rel).parent_path());
    std::ofstream(path_ / rel, std::ios::binary) << text;
  }
  /// Creates an empty file `rel` (parent directories too).
  void touch(const std::filesystem::path& rel) const { write(rel, ""); }

 private:
  std::filesystem::path path_;
};

}  // namespace sysimage::core::testing
