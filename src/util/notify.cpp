// sd_notify(3) through libsystemd when the build has it (KALENDS_HAVE_LIBSYSTEMD).
#include "src/util/notify.hpp"

#include <string>

#include "src/util/log.hpp"

#ifdef KALENDS_HAVE_LIBSYSTEMD
#include <systemd/sd-daemon.h>
#endif

namespace server::notify {

bool supported() {
#ifdef KALENDS_HAVE_LIBSYSTEMD
    return true;
#else
    return false;
#endif
}

void send(std::string_view state) {
#ifdef KALENDS_HAVE_LIBSYSTEMD
    // unset_environment = 0: the variable stays for every later message.
    int r = sd_notify(0, std::string(state).c_str());
    if (r < 0) log::debug("sd_notify failed: " + std::string(state) + ": error " + std::to_string(-r));
#else
    (void)state;
#endif
}

}  // namespace server::notify
