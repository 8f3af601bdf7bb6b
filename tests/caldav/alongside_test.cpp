// Beside: a value computed on another thread while the caller goes on, or
// by the caller itself when no thread is free (caldav/alongside.hpp).
#include "caldav/alongside.hpp"

#include <boost/test/unit_test.hpp>

#include <chrono>
#include <stdexcept>
#include <thread>

#include "tests/support/thread_alongside.hpp"

using caldav::Beside;
using test_support::ThreadAlongside;

BOOST_AUTO_TEST_SUITE(alongside)

BOOST_AUTO_TEST_CASE(without_threads_get_computes_the_value_on_the_callers_thread) {
    std::thread::id where;
    Beside<int> b(nullptr, [&] {
        where = std::this_thread::get_id();
        return 42;
    });
    BOOST_TEST(b.get() == 42);
    BOOST_TEST((where == std::this_thread::get_id()));
}

BOOST_AUTO_TEST_CASE(started_work_runs_on_another_thread_and_get_returns_its_value) {
    ThreadAlongside threads;
    std::thread::id where;
    Beside<int> b(&threads, [&] {
        where = std::this_thread::get_id();
        return 7;
    });
    BOOST_TEST(b.get() == 7);
    BOOST_TEST(threads.started() == 1);
    BOOST_TEST((where != std::this_thread::get_id()));
    BOOST_TEST(threads.ran_on(where));
}

BOOST_AUTO_TEST_CASE(busy_threads_leave_the_work_to_get_on_the_callers_thread) {
    ThreadAlongside threads;
    threads.refuse = true;
    std::thread::id where;
    Beside<int> b(&threads, [&] {
        where = std::this_thread::get_id();
        return 3;
    });
    BOOST_TEST(b.get() == 3);
    BOOST_TEST(threads.started() == 0);
    BOOST_TEST((where == std::this_thread::get_id()));
}

BOOST_AUTO_TEST_CASE(an_exception_of_the_work_is_rethrown_by_get_on_either_path) {
    for (bool refuse : {false, true}) {
        ThreadAlongside threads;
        threads.refuse = refuse;
        Beside<int> b(&threads, []() -> int { throw std::runtime_error("store gone"); });
        BOOST_CHECK_THROW(b.get(), std::runtime_error);
    }
}

BOOST_AUTO_TEST_CASE(leaving_the_scope_waits_for_started_work_that_was_never_collected) {
    ThreadAlongside threads;
    int finished = 0;
    {
        Beside<int> b(&threads, [&] {
            std::this_thread::sleep_for(std::chrono::milliseconds(50));
            finished = 1;
            return 0;
        });
        // No get(): the caller failed before it wanted the value.
    }
    BOOST_TEST(finished == 1);
}

BOOST_AUTO_TEST_SUITE_END()
