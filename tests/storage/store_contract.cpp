// The storage contract suite (issue 23 §6): one case per promise that
// caldav/store.hpp and caldav/store_jobs.hpp make, written against the
// interfaces only (store_contract_*.cpp) and registered once per backend.
#include "tests/storage/store_contract.hpp"

#define BOOST_TEST_MODULE contract
#include <boost/test/unit_test.hpp>

#include "tests/storage/store_contract_cases.hpp"

namespace contract {

bool register_backend(const Backend& backend) {
    auto* suite = BOOST_TEST_SUITE(backend.name);
    for (auto part :
         {collections_cases(), objects_cases(), sync_cases(), time_cases(), jobs_cases(),
          idempotency_cases(), grants_cases(), push_cases(), feeds_cases(), delegations_cases(),
          user_limits_cases()}) {
        for (const auto& c : part) {
            auto run = [make = backend.make, body = c.run] {
                auto fixture = make();
                body(*fixture);
            };
            suite->add(boost::unit_test::make_test_case(run, c.name, __FILE__, __LINE__),
                       c.expected_failures);
        }
    }
    boost::unit_test::framework::master_test_suite().add(suite);
    return true;
}

}  // namespace contract
