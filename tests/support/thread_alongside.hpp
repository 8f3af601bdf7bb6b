// A caldav::Alongside for tests: each piece of work on a thread of its own,
// joined when the object goes; `refuse` plays a server whose threads are all
// busy. Counts what it started, and on which threads.
#pragma once
#include <atomic>
#include <functional>
#include <mutex>
#include <set>
#include <thread>
#include <vector>

#include "caldav/alongside.hpp"

namespace test_support {

class ThreadAlongside : public caldav::Alongside {
public:
    bool refuse = false;

    ~ThreadAlongside() override {
        for (auto& t : threads_) t.join();
    }

    bool try_start(std::function<void()> work) override {
        if (refuse) return false;
        ++started_;
        threads_.emplace_back([this, work = std::move(work)] {
            {
                std::lock_guard lock(mutex_);
                ran_on_.insert(std::this_thread::get_id());
            }
            work();
        });
        return true;
    }

    /// Work started on a thread of its own so far.
    int started() const { return started_; }
    /// True when some work ran on thread `id`.
    bool ran_on(std::thread::id id) {
        std::lock_guard lock(mutex_);
        return ran_on_.contains(id);
    }

private:
    std::atomic<int> started_{0};
    std::mutex mutex_;
    std::set<std::thread::id> ran_on_;
    std::vector<std::thread> threads_;
};

}  // namespace test_support
