// Placeholder translation unit; the iCalendar engine lands with issue 3.
#include "ical/error.hpp"
