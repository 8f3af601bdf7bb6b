// The authorization matrix (issue 25 "Done means", RFC 3744 §7): every method
// × every kind of resource × every role, over real HTTP against one real
// server, each cell with the exact status it must answer; and for every answer
// to someone other than the owner, that nothing outside their grant is in it
// (the owner's unshared calendar, and for a free-busy sharee the events;
// a delegate's grant is the whole home).
#define BOOST_TEST_MODULE authorization_matrix
#include <boost/test/unit_test.hpp>

#include <array>
#include <cstdlib>
#include <iostream>
#include <set>

#include "tests/server/authorization_matrix.hpp"

using namespace matrix;

namespace {

/// The expected answer of every cell: one row per method and resource kind,
/// one status per role in the order of `roles` (owner, admin, edit, view,
/// free-busy, proxy-read, proxy-write, unrelated user, anonymous). 207 means a multistatus; where a
/// multistatus refuses inside (a PROPPATCH of a property the actor may not
/// write), the row's comment says so.
// clang-format off
const std::vector<Expected> expected = {
#include "tests/server/authorization_matrix_table.inc"
};
// clang-format on

}  // namespace

BOOST_AUTO_TEST_SUITE(authorization_matrix)

BOOST_AUTO_TEST_CASE(every_method_on_every_resource_for_every_role_answers_exactly_as_the_table_says) {
    Site site;
    const bool print = std::getenv("KALENDS_MATRIX_PRINT") != nullptr;
    std::set<std::pair<std::string, std::string>> seen;
    std::size_t cells = 0;
    for (const auto& m : methods()) {
        for (const auto& kind : kinds()) {
            const Expected* row = nullptr;
            for (const auto& e : expected)
                if (e.method == m.label && e.kind == kind.label) row = &e;
            if (!print) BOOST_TEST_REQUIRE(row != nullptr, "no expectation for " << m.label << " on " << kind.label);
            seen.insert({m.label, kind.label});
            std::array<int, roles.size()> got{};
            for (std::size_t i = 0; i < roles.size(); ++i) {
                auto reply = site.run(m, kind, roles[i]);
                got[i] = reply.status;
                ++cells;
                if (row)
                    BOOST_TEST(reply.status == row->status[i], m.label << " on " << kind.label << " as "
                                                                     << roles[i].label << " gave " << reply.status
                                                                     << "\n" << reply.body.substr(0, 400));
                // What the request itself named may come back (a 403 names
                // its resource, a multiget each href asked for): the rest may not.
                const auto shown = site.without_echo(reply.body);
                for (const auto& leak : leaks_for(roles[i]))
                    BOOST_TEST(shown.find(leak) == std::string::npos,
                               m.label << " on " << kind.label << " as " << roles[i].label << " shows \"" << leak
                                       << "\"");
                if (reply.status == 403 && m.verb != "HEAD")  // HEAD: no body at all
                    BOOST_TEST((reply.body.find("need-privileges") != std::string::npos ||
                                reply.body.find(":error") != std::string::npos),
                               m.label << " on " << kind.label << " as " << roles[i].label
                                       << ": a 403 without a DAV:error body");
            }
            if (print) {
                std::cout << "    {\"" << m.label << "\", \"" << kind.label << "\", {";
                for (std::size_t i = 0; i < got.size(); ++i) std::cout << (i ? ", " : "") << got[i];
                std::cout << "}},\n";
            }
        }
    }
    BOOST_TEST(seen.size() == methods().size() * kinds().size());
    BOOST_TEST_MESSAGE("authorization matrix: " << cells << " cells");
    std::cout << "authorization matrix: " << methods().size() << " methods x " << kinds().size() << " kinds x "
              << roles.size() << " roles = " << cells << " cells\n";
}

BOOST_AUTO_TEST_SUITE_END()
