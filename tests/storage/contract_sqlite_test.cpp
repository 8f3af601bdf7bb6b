// The storage contract suite (store_contract.cpp) on SqliteStore over a real
// file in a temporary directory, opened through the migrations: once as the
// server runs it, and once without the collection cache, so that the reads
// the cache answers (time ranges, multigets) are held to the contract in SQL
// too.
#include "tests/storage/store_contract.hpp"

#include <boost/test/unit_test.hpp>

#include "src/storage/sqlite_store.hpp"
#include "tests/support/temp_dir.hpp"

namespace {

class SqliteFixture final : public contract::Fixture {
public:
    explicit SqliteFixture(std::size_t collection_cache_bytes)
        : cache_bytes_(collection_cache_bytes) {}

    caldav::Store& store() override { return *store_; }
    caldav::JobStore& jobs() override { return *store_; }

    std::int64_t add_user(const std::string& name, const std::string& email) override {
        BOOST_TEST_REQUIRE((store_->add_user(name, email, "$y$fake") == caldav::StoreStatus::ok));
        return store_->find_principal(name)->id;
    }

    std::int64_t add_room(const std::string& name, const std::string& email) override {
        BOOST_TEST_REQUIRE((store_->add_resource(name, email, "room", "accept-if-free") ==
                            caldav::StoreStatus::ok));
        return store_->find_principal(name)->id;
    }

    void reopen() override {
        store_->close();
        store_ = open();
    }

    void refuse_home_log_writes(std::int64_t principal_id) override {
        // On a connection of its own: the store's writer prepares its
        // statements again when it sees the schema changed.
        server::sqlite::Db db(file(), false, false);
        sqlite3_busy_timeout(db.handle(), 5000);
        db.exec("CREATE TRIGGER test_refuse_home_log BEFORE INSERT ON home_changes WHEN NEW.owner_id = " +
                std::to_string(principal_id) + " BEGIN SELECT RAISE(ABORT, 'home log refused by the test'); END");
    }

    void forget_owner_zones() override {
        server::sqlite::Db db(file(), false, false);
        sqlite3_busy_timeout(db.handle(), 5000);
        db.exec("UPDATE collections SET timezone = '' WHERE kind = 'inbox'; "
                "INSERT OR IGNORE INTO pending_upgrades (name) VALUES ('owner_zones')");
    }

private:
    std::unique_ptr<server::SqliteStore> open() {
        server::SqliteOptions o;
        o.file = file();
        o.collection_cache_bytes = cache_bytes_;
        return server::SqliteStore::open(o);
    }

    std::filesystem::path file() const { return dir_.path() / "contract.sqlite3"; }

    std::size_t cache_bytes_;
    test_support::TempDir dir_;
    std::unique_ptr<server::SqliteStore> store_ = open();
};

const std::size_t default_cache_bytes = server::SqliteOptions{}.collection_cache_bytes;

const bool registered =
    contract::register_backend(
        {"sqlite", [] { return std::make_unique<SqliteFixture>(default_cache_bytes); }}) &&
    contract::register_backend(
        {"sqlite_uncached", [] { return std::make_unique<SqliteFixture>(0); }});

}  // namespace
