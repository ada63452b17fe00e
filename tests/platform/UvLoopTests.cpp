// Tests for UvLoop: work runs on the loop thread, in order, and errors come back to the caller.
#include "server/platform/uv_loop.h"

#include <atomic>
#include <memory>
#include <stdexcept>
#include <thread>
#include <vector>

#include <gtest/gtest.h>

#include "server/platform/uv_loop_internal.h"

namespace sysimage::platform {
namespace {

using detail::LoopAccess;

TEST(UvLoop, RunsTasksOnItsThreadInOrder) {
  UvLoop loop;
  EXPECT_FALSE(loop.onLoopThread());
  std::vector<int> order;
  std::atomic<bool> onThread{true};
  for (int i = 0; i < 100; ++i) {
    LoopAccess::run(loop, [&, i](uv_loop_t*) {
      onThread = onThread && loop.onLoopThread();
      order.push_back(i);
    });
  }
  LoopAccess::runAndWait(loop, [](uv_loop_t*) {});
  EXPECT_TRUE(onThread);
  ASSERT_EQ(order.size(), 100u);
  for (int i = 0; i < 100; ++i) EXPECT_EQ(order[i], i);
}

TEST(UvLoop, RunAndWaitRethrowsAndNestsOnTheLoopThread) {
  UvLoop loop;
  EXPECT_THROW(LoopAccess::runAndWait(loop, [](uv_loop_t*) { throw std::runtime_error("boom"); }),
               std::runtime_error);
  bool inner = false;
  LoopAccess::runAndWait(loop, [&](uv_loop_t*) {
    LoopAccess::runAndWait(loop, [&](uv_loop_t*) { inner = true; });  // inline, no deadlock
  });
  EXPECT_TRUE(inner);
  LoopAccess::run(loop, [](uv_loop_t*) { throw std::runtime_error("logged and dropped"); });
  LoopAccess::runAndWait(loop, [](uv_loop_t*) {});
}

TEST(UvLoop, DestructorClosesHandlesLeftOpen) {
  auto loop = std::make_unique<UvLoop>();
  auto owner = std::make_shared<int>(0);  // what the handle keeps alive (newHandle's keepAlive)
  std::weak_ptr<int> watch = owner;
  LoopAccess::runAndWait(*loop, [owner = std::move(owner)](uv_loop_t* l) mutable {
    auto* timer = detail::newHandle<uv_timer_t>(std::move(owner));
    uv_timer_init(l, timer);
    uv_timer_start(timer, [](uv_timer_t*) {}, 100000, 0);
  });
  EXPECT_FALSE(watch.expired()) << "the open timer holds its owner";
  loop.reset();  // must not hang
  EXPECT_TRUE(watch.expired()) << "the destructor closed the timer and freed its memory";
}

TEST(UvLoop, ManyLoopsInParallel) {
  std::vector<std::thread> threads;
  std::atomic<int> ran{0};
  for (int i = 0; i < 8; ++i) {
    threads.emplace_back([&] {
      UvLoop loop;
      LoopAccess::runAndWait(loop, [&](uv_loop_t*) { ++ran; });
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(ran.load(), 8);
}

}  // namespace
}  // namespace sysimage::platform
