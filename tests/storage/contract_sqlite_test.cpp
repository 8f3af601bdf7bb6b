// The storage contract suite (store_contract.cpp) on SqliteStore over a real
// file in a temporary directory, opened through the migrations.
#include "tests/storage/store_contract.hpp"

#include <boost/test/unit_test.hpp>

#include "src/storage/sqlite_store.hpp"
#include "tests/support/temp_dir.hpp"

namespace {

class SqliteFixture final : public contract::Fixture {
public:
    caldav::Store& store() override { return *store_; }
    caldav::JobStore& jobs() override { return *store_; }

    std::int64_t add_user(const std::string& name, const std::string& email) override {
        BOOST_TEST_REQUIRE((store_->add_user(name, email, "$y$fake") == caldav::StoreStatus::ok));
        return store_->find_principal(name)->id;
    }

    std::int64_t add_room(const std::string& name, const std::string& email) override {
        BOOST_TEST_REQUIRE((store_->add_resource(name, email, "room", "accept-if-free") == caldav::StoreStatus::ok));
        return store_->find_principal(name)->id;
    }

    void reopen() override {
        store_->close();
        store_ = open();
    }

private:
    std::unique_ptr<server::SqliteStore> open() {
        server::SqliteOptions o;
        o.file = dir_.path() / "contract.sqlite3";
        return server::SqliteStore::open(o);
    }

    test_support::TempDir dir_;
    std::unique_ptr<server::SqliteStore> store_ = open();
};

const bool registered = contract::register_backend({"sqlite", [] { return std::make_unique<SqliteFixture>(); }});

}  // namespace
