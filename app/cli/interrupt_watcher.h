#pragma once
// Ctrl-C (and SIGTERM) during a long command: the first asks the work to stop
// at its next boundary (onStop runs on a watcher thread), so a run writes a
// checkpoint and leaves the workspace consistent; a second one exits at once.
// One watcher at a time; the previous handlers come back on destruction.

#include <atomic>
#include <functional>
#include <thread>

namespace awb {

class InterruptWatcher
{
public:
    explicit InterruptWatcher(std::function<void()> onStop);
    ~InterruptWatcher();
    InterruptWatcher(const InterruptWatcher &) = delete;
    InterruptWatcher &operator=(const InterruptWatcher &) = delete;

private:
    std::function<void()> m_onStop;
    std::atomic<bool> m_done{false};
    std::thread m_thread;
    void (*m_oldInt)(int) = nullptr;
    void (*m_oldTerm)(int) = nullptr;
};

} // namespace awb
