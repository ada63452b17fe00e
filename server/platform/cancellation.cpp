// Cancellation tokens.
#include "server/platform/cancellation.h"

namespace sysimage::platform {

void CancellationToken::onCancel(std::function<void()> callback) const {
  if (!state_) return;
  {
    std::lock_guard lock(state_->mutex);
    if (!state_->cancelled.load()) {
      state_->callbacks.push_back(std::move(callback));
      return;
    }
  }
  callback();
}

void CancellationSource::cancel() {
  std::vector<std::function<void()>> callbacks;
  {
    std::lock_guard lock(state_->mutex);
    if (state_->cancelled.exchange(true)) return;
    callbacks.swap(state_->callbacks);
  }
  for (auto& cb : callbacks) cb();
}

}  // namespace sysimage::platform
