// Work run beside the caller (issue 24): a JSON API create checks its
// conflicts on another thread while it plans and commits the event, since
// neither needs the other's result until the answer is written. Each of the
// check's reads sees the store as last committed; the check leaves out the
// event's own UID, so whether a read comes before or after the event's commit
// does not change what it finds. The front end says where such work may run (Actor::alongside);
// without a place, or with every thread busy, the caller runs it itself.
#pragma once
#include <functional>
#include <future>
#include <memory>
#include <utility>

namespace caldav {

/// Threads that run work beside the request that asked for it.
class Alongside {
public:
    virtual ~Alongside() = default;
    /// Starts `work` on another thread; false, leaving it unrun, when no
    /// thread is free (the caller then runs it itself). `work` never throws.
    virtual bool try_start(std::function<void()> work) = 0;
};

/// The value of `fn`, computed on a thread of `where` while the caller goes
/// on, or by get() itself when `where` is null or busy. The destructor waits
/// for a started computation, so `fn` may refer to what outlives this.
template <class T>
class Beside {
public:
    Beside(Alongside* where, std::function<T()> fn) : fn_(std::move(fn)) {
        if (!where) return;
        auto task = std::make_shared<std::packaged_task<T()>>(fn_);
        future_ = task->get_future();
        if (!where->try_start([task] { (*task)(); })) future_ = {};
    }
    Beside(const Beside&) = delete;
    Beside& operator=(const Beside&) = delete;
    ~Beside() {
        if (future_.valid()) future_.wait();
    }

    /// The value (once): what `fn` returned, or its exception rethrown.
    T get() { return future_.valid() ? future_.get() : fn_(); }

private:
    std::function<T()> fn_;
    std::future<T> future_;
};

}  // namespace caldav
