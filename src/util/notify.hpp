// Readiness and status for the service manager (sd_notify(3), Type=notify units).
#pragma once
#include <string_view>

namespace server::notify {

/// True when this build can talk to systemd (built with libsystemd).
bool supported();

/// Sends `state` ("READY=1", "STOPPING=1", "STATUS=text", several joined
/// by newlines) to the socket named by $NOTIFY_SOCKET. Does nothing when the
/// variable is unset (not started by systemd) or the build lacks libsystemd;
/// a failed send is logged at debug level and otherwise ignored.
void send(std::string_view state);

}  // namespace server::notify
