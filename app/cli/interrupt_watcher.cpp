#include "cli/interrupt_watcher.h"

#include <chrono>
#include <csignal>
#include <cstdlib>

namespace awb {

namespace {

std::atomic<int> g_interrupts{0};

extern "C" void onInterrupt(int)
{
    if (g_interrupts.fetch_add(1) >= 1)
        std::_Exit(130);
}

} // namespace

InterruptWatcher::InterruptWatcher(std::function<void()> onStop) : m_onStop(std::move(onStop))
{
    g_interrupts = 0;
    m_oldInt = std::signal(SIGINT, onInterrupt);
    m_oldTerm = std::signal(SIGTERM, onInterrupt);
    m_thread = std::thread([this] {
        while (!m_done) {
            if (g_interrupts.load() > 0) {
                m_onStop();
                return;
            }
            std::this_thread::sleep_for(std::chrono::milliseconds(50));
        }
    });
}

InterruptWatcher::~InterruptWatcher()
{
    m_done = true;
    m_thread.join();
    std::signal(SIGINT, m_oldInt);
    std::signal(SIGTERM, m_oldTerm);
}

} // namespace awb
