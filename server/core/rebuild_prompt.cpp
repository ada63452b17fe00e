// Rebuild prompt: offer decision, message text and the persisted per-project prompt state.
#include "server/core/toml_util.h"
#include "server/core/rebuild_prompt.h"

#include <algorithm>
#include <fstream>
#include <sstream>
#include <system_error>
#include <toml++/toml.h>

#include "server/core/hash.h"
#include "server/platform/atomic_file.h"

namespace sysimage::core {

PromptAnswer promptAnswerFrom(const std::optional<std::string_view>& title) {
  if (!title) return PromptAnswer::dismissed;
  if (*title == kRebuildAction) return PromptAnswer::rebuild;
  if (*title == kNotNowAction) return PromptAnswer::notNow;
  if (*title == kDontAskAction) return PromptAnswer::dontAsk;
  return PromptAnswer::dismissed;
}

bool PromptState::wasOffered(std::string_view key) const {
  return std::find(offeredKeys.begin(), offeredKeys.end(), key) != offeredKeys.end();
}

void PromptState::recordOffer(const std::string& key) {
  if (wasOffered(key)) return;
  offeredKeys.push_back(key);
  if (offeredKeys.size() > kMaxOfferedKeys) {
    offeredKeys.erase(offeredKeys.begin(), offeredKeys.end() - static_cast<std::ptrdiff_t>(kMaxOfferedKeys));
  }
}

std::filesystem::path promptStatePath(const std::filesystem::path& dir) { return dir / "rebuild-prompt.toml"; }

PromptState loadPromptState(const std::filesystem::path& dir) {
  const std::filesystem::path file = promptStatePath(dir);
  std::error_code ec;
  if (!std::filesystem::exists(file, ec)) return {};
  std::ifstream in(file, std::ios::binary);
  if (!in) throw ParseError(ParseErrorKind::io, file, 0, 0, "", "cannot open file");
  std::ostringstream buf;
  buf << in.rdbuf();
  const std::string text = buf.str();
  toml::table root = parseTomlText(text, file);
  const auto wrong = [&](const toml::node& n, const char* key, const char* msg) {
    throw ParseError(ParseErrorKind::wrongType, file, static_cast<int>(n.source().begin.line),
                     static_cast<int>(n.source().begin.column), key, msg);
  };
  PromptState state;
  if (const toml::node* n = root.get("dont_ask")) {
    if (!n->is_boolean()) wrong(*n, "dont_ask", "`dont_ask` must be true or false");
    state.dontAsk = n->as_boolean()->get();
  }
  if (const toml::node* n = root.get("offered")) {
    const toml::array* arr = n->as_array();
    if (arr == nullptr) wrong(*n, "offered", "`offered` must be a list of strings");
    for (const toml::node& el : *arr) {
      if (!el.is_string()) wrong(el, "offered", "`offered` must be a list of strings");
      state.recordOffer(el.as_string()->get());
    }
  }
  return state;
}

void savePromptState(const std::filesystem::path& dir, const PromptState& state) {
  toml::array offered;
  for (const std::string& key : state.offeredKeys) offered.push_back(key);
  const toml::table root{{"dont_ask", state.dontAsk}, {"offered", std::move(offered)}};
  std::ostringstream text;
  text << "# Rebuild prompt memory of one project, written by sysimage-server.\n" << root << "\n";

  platform::atomicWriteFile(promptStatePath(dir), text.str());
}

std::string changeSetKey(const Staleness& staleness) {
  Fnv1a64 h;
  const auto field = [&h](std::string_view s) {
    h.updateU64(s.size());
    h.update(s);
  };
  field(toString(staleness.state));
  field(staleness.imageKey);
  h.updateU64(staleness.diff.changes.size());
  for (const PackageChange& c : staleness.diff.changes) {
    field(toString(c.kind));
    field(c.name);
    field(c.uuid);
    field(c.oldVersion.value_or(""));
    field(c.newVersion.value_or(""));
    field(c.oldSource ? toString(*c.oldSource) : "");
    field(c.newSource ? toString(*c.newSource) : "");
  }
  h.updateU64(staleness.statementThresholdReached ? 1 : 0);
  return h.hex();
}

RebuildPromptDecision decideRebuildPrompt(std::string_view projectName, const Staleness& staleness,
                                          const PromptState& state, const PromptContext& context) {
  RebuildPromptDecision d;
  if (staleness.state != StalenessState::suggested && staleness.state != StalenessState::unsafe) {
    d.skipReason = "the sysimage is " + std::string(toString(staleness.state));
    return d;
  }
  if (state.dontAsk) {
    d.skipReason = "the user chose \"" + std::string(kDontAskAction) + "\"";
    return d;
  }
  if (!context.clientSupportsShowMessageRequest) {
    d.skipReason = "the client does not support window/showMessageRequest";
    return d;
  }
  if (context.buildRunning) {
    d.skipReason = "a build for this project is running";
    return d;
  }
  d.changeKey = changeSetKey(staleness);
  if (state.wasOffered(d.changeKey)) {
    d.skipReason = "this change set was offered before";
    return d;
  }
  // Package changes first (the diff's own wording), then the statement rule; "<first> and N more".
  std::vector<std::string> items;
  for (const PackageChange& c : staleness.diff.changes) items.push_back(c.describe());
  if (staleness.statementThresholdReached) {
    items.push_back(std::to_string(staleness.newStatements) + " new precompile statements since the build");
  }
  if (items.empty()) items = staleness.reasons;
  std::string detail = items.empty() ? "" : items.front();
  if (items.size() > 1) detail += " and " + std::to_string(items.size() - 1) + " more";
  d.offer = true;
  d.message = "Sysimage for " + std::string(projectName) + " is out of date" + (detail.empty() ? "" : ": " + detail) + ".";
  d.actions = {std::string(kRebuildAction), std::string(kNotNowAction), std::string(kDontAskAction)};
  return d;
}

}  // namespace sysimage::core
