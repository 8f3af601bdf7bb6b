// caldav::Service: the protocol entry point; routes a Request to its handler.
#pragma once
#include <string>
#include <string_view>

#include "caldav/limits.hpp"
#include "caldav/message.hpp"
#include "caldav/store.hpp"

namespace caldav {

class ImipGateway;
class PushStore;
struct DavPushSettings;

/// Turns requests into responses over a Store. Thread-safe: handle() may run on
/// many threads at once. The Store must outlive the Service.
class Service {
public:
    Service(Store& store, Limits limits);

    /// Sends scheduling messages for external calendar users through
    /// `gateway` (nullptr: none are sent). Set before serving; it must outlive
    /// the Service.
    void set_imip_gateway(ImipGateway* gateway) { imip_ = gateway; }

    /// Offers WebDAV-Push (caldav/webdav_push.hpp) with `settings`, keeping
    /// registrations in `store`; both must outlive the Service. Set before serving.
    void set_push(const DavPushSettings* settings, PushStore* store) {
        push_ = settings;
        push_store_ = store;
    }

    /// Answers one request. A caldav::Error thrown by a handler becomes a DAV:error
    /// body here and nowhere else; any other exception propagates to the caller
    /// (the HTTP session answers 500 and logs it).
    Response handle(const Request& request);

    /// True when `method` only reads (its method-table row says so): the
    /// HTTP layer runs such requests on the readers' pool.
    static bool is_read_only(std::string_view method);

    /// The value of the DAV response header: the compliance classes that work.
    static const std::string& dav_header();

    const Limits& limits() const { return limits_; }

private:
    Store& store_;
    Limits limits_;
    ImipGateway* imip_ = nullptr;
    const DavPushSettings* push_ = nullptr;
    PushStore* push_store_ = nullptr;
};

/// Renders an Error as a response with a DAV:error body (RFC 4918 §16).
Response render_error(const class Error& error);

}  // namespace caldav
