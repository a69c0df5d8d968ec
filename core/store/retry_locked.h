#pragma once
// Retrying a workspace write that finds the database locked by another
// connection (SQLITE_BUSY or SQLITE_LOCKED after the busy timeout): the caller
// keeps what it writes and calls write() again every second, saying so every
// 30 attempts, until it succeeds. Once `stopping` says true it gives up after
// 30 more attempts and rethrows. Any other error is rethrown at once.

#include "store/sqlite_db.h"

#include <chrono>
#include <string>
#include <thread>

namespace awb {

template <class Write, class Stopping, class Log>
void retryWhileLocked(const std::string &db, const std::string &what, Write write, Stopping stopping, Log log)
{
    for (int attempt = 0;; ++attempt) {
        try {
            write();
            return;
        } catch (const SqliteError &e) {
            const int code = e.code() & 0xff;
            if ((code != 5 && code != 6) || (stopping() && attempt >= 30))   // SQLITE_BUSY, SQLITE_LOCKED
                throw;
            if (attempt % 30 == 0)
                log(db + " is locked by another connection; " + what + " is kept and written when it is free (" +
                    e.detail() + ")");
            std::this_thread::sleep_for(std::chrono::seconds(1));
        }
    }
}

} // namespace awb
