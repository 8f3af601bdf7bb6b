// The storage contract suite (issue 23 §6): what caldav::Store and
// caldav::JobStore promise the protocol layer, written once against the
// interfaces and run for every backend, as sabre/dav's AbstractPDOTestCase
// and Xandikos' BaseStoreTest do. A backend joins with one file that
// registers a Backend (see contract_sqlite_test.cpp).
#pragma once
#include <cstdint>
#include <functional>
#include <memory>
#include <string>

#include "caldav/store.hpp"
#include "caldav/store_jobs.hpp"
#include "caldav/store_push.hpp"

namespace contract {

/// A fresh, empty store of one backend, owned by the test case that made it.
/// Principals are created here because creating them is not (yet) part of
/// the interfaces under test.
class Fixture {
public:
    virtual ~Fixture() = default;

    /// The store under test; valid until the next reopen().
    virtual caldav::Store& store() = 0;
    /// The same store's job queue; valid until the next reopen().
    virtual caldav::JobStore& jobs() = 0;
    /// The same store's push subscriptions; by default the store itself, as
    /// every server::Backend is one.
    virtual caldav::PushStore& push() { return dynamic_cast<caldav::PushStore&>(store()); }

    /// Adds a user principal (kind "user", booking policy "manual"); returns its id.
    virtual std::int64_t add_user(const std::string& name, const std::string& email) = 0;
    /// Adds a room principal whose booking policy is "accept-if-free"; returns its id.
    virtual std::int64_t add_room(const std::string& name, const std::string& email) = 0;

    /// Closes the store and opens it again on the same data: only what the
    /// store made durable is there afterwards.
    virtual void reopen() = 0;

    /// From now on every statement that logs a change in the home of
    /// `principal_id` (RFC 6578 home sync, issue 25 §7) fails, as a full disk
    /// or a broken row would: a trigger of the test's own, gone with the
    /// fixture. For cases that show what a write of several statements
    /// leaves behind when one of them fails.
    virtual void refuse_home_log_writes(std::int64_t principal_id) = 0;

    /// Leaves the database as a version before the owner's zone was kept
    /// left it (schema 0024): every inbox keeps no zone, and the one-off
    /// pass that computes them (backfill_owner_zones) is owed. Raw SQL, on a
    /// connection of the test's own.
    virtual void forget_owner_zones() = 0;
};

/// A backend under test: the name of its test suite, and how to make a fresh
/// Fixture of it for each test case.
struct Backend {
    std::string name;
    std::function<std::unique_ptr<Fixture>()> make;
};

/// Adds a test suite named after `backend` with one test case per contract
/// case to the master test suite. Call it during static initialisation, from
/// the backend's own file:
///     const bool registered = contract::register_backend({"sqlite", make_sqlite});
bool register_backend(const Backend& backend);

}  // namespace contract
