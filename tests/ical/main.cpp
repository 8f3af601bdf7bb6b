// Boost.Test entry point of the ical/ unit tests.
#define BOOST_TEST_MODULE ical
#include <boost/test/unit_test.hpp>
