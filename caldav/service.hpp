// caldav::Service: the protocol entry point; routes a Request to its handler.
#pragma once
#include <string>

#include "caldav/limits.hpp"
#include "caldav/message.hpp"
#include "caldav/store.hpp"

namespace caldav {

/// Turns requests into responses over a Store. Thread-safe: handle() may run on
/// many threads at once. The Store must outlive the Service.
class Service {
public:
    Service(Store& store, Limits limits);

    /// Answers one request. A caldav::Error thrown by a handler becomes a DAV:error
    /// body here and nowhere else; any other exception propagates to the caller
    /// (the HTTP session answers 500 and logs it).
    Response handle(const Request& request);

    /// The value of the DAV response header: the compliance classes that work.
    static const std::string& dav_header();

    const Limits& limits() const { return limits_; }

private:
    Store& store_;
    Limits limits_;
};

/// Renders an Error as a response with a DAV:error body (RFC 4918 §16).
Response render_error(const class Error& error);

}  // namespace caldav
