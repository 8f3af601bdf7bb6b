// The operations test suite (issue 29).
#define BOOST_TEST_MODULE ops
#include <boost/test/unit_test.hpp>
