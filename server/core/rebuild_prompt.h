// Rebuild prompt: the pure decision whether to offer the user a sysimage rebuild (window/showMessageRequest)
// for a project, the offer's text and actions, and the small per-project file that remembers past offers
// and "Don't ask for this project".
#pragma once

#include <cstddef>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "server/core/staleness.h"

namespace sysimage::core {

/// Action titles of the offer, in the order they are shown.
inline constexpr std::string_view kRebuildAction = "Rebuild";
inline constexpr std::string_view kNotNowAction = "Not now";
inline constexpr std::string_view kDontAskAction = "Don't ask for this project";

/// What the user answered.
enum class PromptAnswer { rebuild, notNow, dontAsk, dismissed };

/// Maps the `title` of the chosen MessageActionItem (nullopt when the message was closed) to an answer;
/// unknown titles count as dismissed.
PromptAnswer promptAnswerFrom(const std::optional<std::string_view>& actionTitle);

/// Per-project prompt memory, persisted with savePromptState().
struct PromptState {
  static constexpr std::size_t kMaxOfferedKeys = 32;

  bool dontAsk = false;                  ///< the user chose "Don't ask for this project"
  std::vector<std::string> offeredKeys;  ///< change-set keys already offered, oldest first, at most kMaxOfferedKeys

  bool wasOffered(std::string_view key) const;
  /// Remembers `key` (no duplicate), dropping the oldest keys beyond kMaxOfferedKeys.
  void recordOffer(const std::string& key);

  friend bool operator==(const PromptState&, const PromptState&) = default;
};

/// "<dir>/rebuild-prompt.toml".
std::filesystem::path promptStatePath(const std::filesystem::path& dir);

/// Reads promptStatePath(dir): TOML with `dont_ask` (bool) and `offered` (list of strings). A missing file
/// gives the default state. Throws ParseError (syntax, wrongType) for a damaged file.
PromptState loadPromptState(const std::filesystem::path& dir);

/// Writes promptStatePath(dir) atomically (platform::atomicWriteFile). The directory must exist.
/// Throws std::system_error naming the file and the failed step.
void savePromptState(const std::filesystem::path& dir, const PromptState& state);

/// What the client and the server are doing right now.
struct PromptContext {
  bool clientSupportsShowMessageRequest = false;  ///< capabilities.window.showMessage (a request needs it)
  bool buildRunning = false;                      ///< a build for this project is queued or running
};

/// The decision. When `offer` is false, `skipReason` says why and the rest may be empty.
struct RebuildPromptDecision {
  bool offer = false;
  std::string skipReason;
  std::string changeKey;             ///< changeSetKey(staleness); record it with PromptState::recordOffer when sent
  std::string message;               ///< "Sysimage for MyProject is out of date: CSV 0.10.9 → 0.10.11 and 2 more."
  std::vector<std::string> actions;  ///< {kRebuildAction, kNotNowAction, kDontAskAction}
};

/// A key for the set of changes behind a verdict: equal for the same state, image, diff entries and
/// statement rule, whatever the exact statement count. "fnv1a64:..." (see hashBytes()).
std::string changeSetKey(const Staleness& staleness);

/// Offer a rebuild only when the project is `suggested` or `unsafe`, the user has not chosen "Don't ask for
/// this project", the client can answer a showMessageRequest, no build for the project runs, and this
/// change set has not been offered before.
RebuildPromptDecision decideRebuildPrompt(std::string_view projectName, const Staleness& staleness,
                                          const PromptState& state, const PromptContext& context);

}  // namespace sysimage::core
