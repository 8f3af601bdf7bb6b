// Subcommand dispatch and the serve/user/token/share/version/help commands (man/kalends.8).
#include "src/cli/cli.hpp"

#include <malloc.h>
#include <termios.h>
#include <unistd.h>

#include <algorithm>
#include <cstdlib>
#include <optional>
#include <fstream>
#include <ctime>
#include <iostream>
#include <regex>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include <boost/program_options.hpp>

#include "caldav/calendar_data.hpp"
#include "caldav/service.hpp"
#include "ical/event_spec.hpp"
#include "ical/zone_resolver.hpp"
#include "src/api/api_endpoint.hpp"
#include "src/cli/database_command.hpp"
#include "src/cli/ics_command.hpp"
#include "src/cli/feed_command.hpp"
#include "src/cli/import_command.hpp"
#include "src/cli/imip_command.hpp"
#include "src/cli/jobs_command.hpp"
#include "src/cli/migrate_command.hpp"
#include "src/cli/share_command.hpp"
#include "src/cli/token_command.hpp"
#include "src/cli/user_limits_command.hpp"
#include "src/config/config.hpp"
#include "src/http/authenticator.hpp"
#include "src/http/metrics_endpoint.hpp"
#include "src/http/rsvp_endpoint.hpp"
#include "src/http/rate_limiter.hpp"
#include "src/http/server.hpp"
#include "src/http/user_name.hpp"
#include "src/jobs/attendee_refresh.hpp"
#include "src/jobs/reminder_worker.hpp"
#include "src/mail/imip_gateway.hpp"
#include "src/mail/mail_worker.hpp"
#include "src/mail/rsvp_token.hpp"
#include "src/push/push_worker.hpp"
#include "src/storage/open_backend.hpp"
#include "src/storage/storage_metrics.hpp"
#include "src/util/log.hpp"

namespace po = boost::program_options;

namespace server {

namespace {

/// Where the server keeps its data, for the start-up line: the SQLite file,
/// or the PostgreSQL connection string with any password in it masked (in the
/// URL's user info, as a query parameter or as a key=value pair).
std::string storage_for_log(const Config& c) {
    if (c.storage_backend != "postgresql") return c.database_file().string();
    static const std::regex user_info(R"(^([a-z]+://[^:@/]*):[^@/]*@)");
    static const std::regex keyword(R"((password\s*=\s*)('[^']*'|[^\s&]+))");
    auto shown = std::regex_replace(c.storage_url, user_info, "$1:***@");
    return "PostgreSQL " + std::regex_replace(shown, keyword, "$1***");
}

constexpr const char* usage_text =
    "usage: kalends COMMAND [OPTIONS]\n"
    "\n"
    "commands:\n"
    "  serve [--listen ADDR:PORT]...      run the CalDAV server\n"
    "  user add NAME [--email ADDR] [--password-stdin]\n"
    "  user passwd NAME [--password-stdin]\n"
    "  user list\n"
    "  user limits NAME [--quota BYTES] [--max-calendars N] [--max-objects N]\n"
    "                                     show or set one user's limits ('default': the server's)\n"
    "  user del NAME\n"
    "  token add USER --name NAME         make a personal access token (shown once)\n"
    "  token list USER\n"
    "  token revoke USER NAME\n"
    "  share OWNER/CALENDAR USER --permission view|edit|admin|free-busy\n"
    "                                     share a calendar with a user\n"
    "  share list OWNER[/CALENDAR]        list a user's shared calendars and with whom\n"
    "  unshare OWNER/CALENDAR USER        end a user's access to a calendar\n"
    "  feed add|list|revoke OWNER/CALENDAR [ID] [--free-busy]\n"
    "                                     publish a calendar at a secret URL, list, revoke\n"
    "  resource add NAME --email ADDR [--type room|resource]\n"
    "               [--policy accept-if-free|always|manual]\n"
    "  imip deliver [--sender ADDR] [--recipient ADDR]\n"
    "                                     apply the iMIP email on standard input\n"
    "  imip queue                         list the scheduling email waiting for the relay\n"
    "  jobs [--kind KIND] [--all]         list the due, leased and failed jobs (--all: waiting ones too)\n"
    "  ics validate FILE                  check an iCalendar file\n"
    "  ics expand FILE --from T --to T    list the instances of a recurring event\n"
    "  backup DEST                        copy the database, live, to DEST (a file or directory)\n"
    "  restore SRC                        replace the database by a backup (server stopped)\n"
    "  check                              verify the database, its time index and change logs\n"
    "  import USER[/CALENDAR] FILE.ics    store a whole-calendar file's events (no invitations)\n"
    "  import USER --from URL [--user NAME --password-file F] [--merge]\n"
    "                                     copy every calendar of an account on a CalDAV server\n"
    "  import USER --from-radicale DIR [--merge]\n"
    "                                     copy a user's calendars from a Radicale storage folder\n"
    "  export USER[/CALENDAR] [FILE]      write a calendar as one iCalendar file\n"
    "  version                            print the version\n"
    "  help                               print this help\n"
    "\n"
    "common options:\n"
    "  --config FILE    read settings from FILE (see kalends.conf(5))\n"
    "  --data DIR       data directory (default: $KALENDS_DATA, /var/lib/kalends as root,\n"
    "                   else ~/.local/share/kalends)\n";

/// Thrown for a bad command line; the message is printed with the usage hint.
struct UsageError : std::runtime_error {
    using std::runtime_error::runtime_error;
};

po::options_description common_options() {
    po::options_description d("options");
    d.add_options()
        ("config", po::value<std::string>(), "config file")
        ("data", po::value<std::string>(), "data directory")
        ("help,h", "print help");
    return d;
}

po::variables_map parse(const std::vector<std::string>& args, const po::options_description& d,
                        std::vector<std::string>& positional) {
    po::options_description all = d;
    all.add_options()("args", po::value<std::vector<std::string>>(), "");
    po::positional_options_description pos;
    pos.add("args", -1);
    po::variables_map vm;
    try {
        po::store(po::command_line_parser(args).options(all).positional(pos).run(), vm);
        po::notify(vm);
    } catch (const po::error& e) {
        throw UsageError(e.what());
    }
    if (vm.count("args")) positional = vm["args"].as<std::vector<std::string>>();
    return vm;
}

Config load_config(const po::variables_map& vm) {
    Config c;
    if (vm.count("config")) read_config_file(vm["config"].as<std::string>(), c);
    if (vm.count("data")) c.data_dir = vm["data"].as<std::string>();
    if (c.data_dir.empty()) c.data_dir = default_data_dir();
    return c;
}

/// The push sender, started, with `settings` filled for the DAV and API
/// front ends. Throws ConfigError when the VAPID key file is unusable.
std::unique_ptr<PushWorker> start_push(const Config& c, Backend& store, caldav::DavPushSettings& settings) {
    std::optional<push::EcKey> key;
    try {
        key.emplace(push::EcKey::load_or_create(c.vapid_key_file()));
    } catch (const std::exception& e) {
        throw ConfigError(std::string("push: ") + e.what());
    }
    PushWorkerOptions o;
    o.subject = c.push.vapid_subject;
    if (o.subject.empty() && c.smtp.enabled()) {
        auto from = c.smtp.from;
        auto lt = from.find('<');
        o.subject = "mailto:" + (lt == std::string::npos ? from : from.substr(lt + 1, from.find('>') - lt - 1));
    }
    if (o.subject.empty()) {
        o.subject = "mailto:postmaster@localhost";
        log::warn("push: no push.vapid-subject; push services see " + o.subject);
    }
    o.ttl_seconds = c.push.ttl.count();
    o.allow_http = c.push.allow_http;
    o.connections = c.push.connections;
    settings.public_base_url = c.push.public_url;
    settings.tls = c.tls_enabled();
    settings.allow_http_endpoints = c.push.allow_http;
    settings.max_expiry_seconds = std::int64_t{c.push.registration_days} * 86400;
    auto worker = std::make_unique<PushWorker>(store, store, std::move(*key), o);
    settings.vapid_public_key = worker->vapid_public_key();
    worker->start();
    log::info("push: VAPID key " + c.vapid_key_file().string() + " (public " + settings.vapid_public_key + ")");
    return worker;
}

int cmd_serve(const std::vector<std::string>& args) {
    auto d = common_options();
    d.add_options()
        ("listen", po::value<std::vector<std::string>>(), "ADDR:PORT to listen on (repeatable)")
        ("log-level", po::value<std::string>(), "debug, info, warn or error");
    std::vector<std::string> positional;
    auto vm = parse(args, d, positional);
    if (!positional.empty()) throw UsageError("serve takes no arguments");
    Config c = load_config(vm);
    if (vm.count("listen")) {
        c.listen.clear();
        for (const auto& text : vm["listen"].as<std::vector<std::string>>())
            c.listen.push_back(ListenAddress::parse(text));
    }
    if (vm.count("log-level")) c.log_level = vm["log-level"].as<std::string>();
    auto level = log::parse_level(c.log_level);
    if (!level) throw ConfigError("--log-level '" + c.log_level + "': not one of debug, info, warn, error");
    try {
        log::configure(*level, c.log_file, *log::parse_format(c.log_format));
    } catch (const std::runtime_error& e) {
        throw ConfigError(e.what());
    }
    validate_for_serving(c);
    if (!ical::known_time_zone(c.api.working_hours.time_zone))
        throw ConfigError("api.time-zone: '" + c.api.working_hours.time_zone + "' is not a time zone libical knows");
#ifdef M_ARENA_MAX
    // Before any thread starts: each handler thread would otherwise get its own
    // arena and keep the blocks of the largest answers it built (peak anonymous
    // RSS at 10k events 110 MB with glibc's default, 59 MB with 4 arenas, the
    // same throughput; bench/RESULTS.md).
    const unsigned arenas = c.malloc_arenas ? c.malloc_arenas : 2 * std::max(1u, std::thread::hardware_concurrency());
    mallopt(M_ARENA_MAX, static_cast<int>(arenas));
#endif
    // Before any thread parses calendar data (the store's indexer included).
    if (ical::load_builtin_zone_table() == 0)
        log::warn("libical has no builtin time zones: TZIDs without a VTIMEZONE will not resolve");
    auto store = open_backend(c);
    log::info("kalends " KALENDS_VERSION " using " + storage_for_log(c));
    // Reminders (issue 26): indexed by the store in every object write, from
    // before the first request.
    const JobClock wall_clock = [] { return static_cast<std::int64_t>(std::time(nullptr)); };
    const auto reminder_rules = reminder_policy(c.reminders, c.api.working_hours.time_zone);
    if (c.reminders.enabled) store->set_reminder_indexer(reminder_indexer(reminder_rules, wall_clock));
    // Objects stored before the time index existed get their rows now, once.
    if (auto n = caldav::rebuild_instance_index(*store, c.limits); n > 0)
        log::info("time index: built instance rows for " + std::to_string(n) + " objects");
    store->backfill_owner_zones();  // users stored before their zone was kept (schema 0024): once
    caldav::Service service(*store, c.limits);
    // RFC 6638 §4.2: an answer reaches the other local attendees' copies
    // by a queued job, after [limits] attendee-refresh-delay.
    JobRunnerOptions refresh_options;
    refresh_options.worker = node_worker_name("scheduling");
    refresh_options.idle_poll = std::chrono::seconds(1);
    if (auto n = store->release_leases(refresh_options.worker); n > 0)
        log::info("attendee refresh: " + std::to_string(n) + " jobs held before a restart run again now");
    JobRunner refresh(*store, wall_clock, refresh_options);
    handle_attendee_refresh(refresh, *store, c.limits);
    refresh.start();
    // iMIP (RFC 6047): email for external calendar users, queued durably and
    // sent by the worker; messages left from before a restart go out too.
    std::unique_ptr<ImipComposer> imip;
    std::unique_ptr<MailWorker> mail;
    if (c.smtp.enabled()) {
        imip = std::make_unique<ImipComposer>(c.smtp, c.mail_per_minute);
        service.set_imip_gateway(imip.get());
        mail = std::make_unique<MailWorker>(*store, *store, c.smtp, c.limits);
        mail->start();
        log::info("imip: scheduling email goes through the [smtp] relay, from " + c.smtp.from);
    } else {
        log::info("imip: no [smtp] url; attendees without an account here are not scheduled");
    }
    std::unique_ptr<ReminderWorker> reminders;
    if (c.reminders.enabled) {
        ReminderWorkerConfig rc{reminder_rules, c.smtp.enabled() ? c.smtp.from : "", c.imip.public_url};
        reminders = std::make_unique<ReminderWorker>(*store, *store, rc, wall_clock);
        reminders->ensure_horizon_job(wall_clock());
    }
    // Answer links in invitations (issue 6 §5), only with a public URL to put in them.
    std::unique_ptr<RsvpEndpoint> rsvp;
    HttpServer::RsvpHandler rsvp_handler;
    if (c.imip.enabled()) {
        auto secret = rsvp_link_secret(c);
        rsvp = std::make_unique<RsvpEndpoint>(*store, c.limits, secret);
        rsvp_handler = [&rsvp](const caldav::Request& r) { return rsvp->handle(r); };
        if (imip) imip->set_answer_links(c.imip, secret);
        log::info("imip: invitations carry answer links to " + c.imip.public_url + "/rsvp/");
    }
    // Web Push and WebDAV-Push (issue 26 §5): the VAPID key is made at first start and kept.
    caldav::DavPushSettings push_settings;
    auto push = start_push(c, *store, push_settings);
    if (reminders) {
        // A reminder's e-mail and push go out at once, not at the workers' next poll.
        reminders->on_delivery([&mail, &push] {
            if (mail) mail->poke();
            push->poke();
        });
        reminders->start();
    }
    // Its thread pokes `mail` and `push`: stopped before they go, even when a
    // later step throws.
    struct StopFirst {
        ReminderWorker* worker;
        ~StopFirst() { if (worker) worker->stop(); }
    } stop_reminders_first{reminders.get()};
    service.set_push(&push_settings, store.get());
    Authenticator auth(*store, {c.auth_cache_ttl, c.auth_free_failures, c.auth_max_delay,
                                c.auth_max_concurrent_hashes, c.auth_failure_entries, c.auth_failure_memory});
    // The JSON API (issue 24) behind the per-user rate limit.
    api::ApiEndpoint api_endpoint(*store, c.limits, c.api);
    if (imip) api_endpoint.set_imip_gateway(imip.get());
    api_endpoint.set_push(store.get(), &push_settings);
    RateLimiter rate(c.api.rate_per_minute, c.api.rate_burst);
    auto api_handler = [&](const caldav::Request& r) {
        if (auto wait = rate.admit(r.principal->id))
            return api::ApiEndpoint::rate_limited(r.request_id, wait->count());
        return api_endpoint.handle(r);
    };
    add_storage_metrics(metrics::registry(), *store, c);
    observe_caldav_into_metrics();
    {
        HttpServer http(c, *store, service, auth, rsvp_handler, api_handler);
        http.bind();
        http.run(true);
    }
    metrics::registry().clear_collectors();
    if (reminders) reminders->stop();
    refresh.stop();
    if (mail) mail->stop();
    push->stop();
    store->close();
    log::info("store closed; exiting");
    return 0;
}

std::string read_password(bool from_stdin) {
    std::string password;
    if (from_stdin) {
        if (!std::getline(std::cin, password)) throw UsageError("no password on standard input");
        if (!password.empty() && password.back() == '\r') password.pop_back();
    } else {
        if (!isatty(STDIN_FILENO))
            throw UsageError("standard input is not a terminal; use --password-stdin");
        termios old{};
        tcgetattr(STDIN_FILENO, &old);
        termios silent = old;
        silent.c_lflag &= ~static_cast<tcflag_t>(ECHO);
        auto ask = [&](const char* prompt) {
            std::cerr << prompt << std::flush;
            tcsetattr(STDIN_FILENO, TCSANOW, &silent);
            std::string line;
            std::getline(std::cin, line);
            tcsetattr(STDIN_FILENO, TCSANOW, &old);
            std::cerr << "\n";
            return line;
        };
        password = ask("Password: ");
        if (ask("Repeat password: ") != password) throw UsageError("the passwords differ");
    }
    if (password.empty()) throw UsageError("the password is empty");
    return password;
}

/// `name` as it is stored and logged in with: NFC, checked against the
/// account name rules (issue 22 §10); throws UsageError saying what is wrong.
std::string checked_name(const std::string& name) {
    auto nfc = to_nfc(name);
    if (!nfc) throw UsageError("name '" + name + "' is not UTF-8");
    if (auto why = account_name_problem(*nfc); !why.empty())
        throw UsageError("name '" + name + "' refused: " + why);
    return *nfc;
}

/// `email` without "mailto:", NFC, checked; empty stays empty.
std::string checked_email(std::string email) {
    if (email.starts_with("mailto:")) email = email.substr(7);
    if (email.empty()) return email;
    auto nfc = to_nfc(email);
    if (!nfc) throw UsageError("--email '" + email + "' is not UTF-8");
    if (auto why = email_address_problem(*nfc); !why.empty())
        throw UsageError("--email '" + email + "' is not an email address: " + why);
    return *nfc;
}

/// Why a new account `name` with `email` would be taken for an existing one,
/// or empty: a name or address that differs from another only by case or
/// look-alike characters (UTS #39), or an address already in use. The same
/// name is left to the store, which answers "already exists".
std::string look_alike_problem(AccountStore& store, const std::string& name, const std::string& email) {
    for (const auto& p : store.list_principals()) {
        if (p.name != name && looks_alike(p.name, name))
            return "name '" + name + "' looks like the existing '" + p.name + "'";
        if (!email.empty() && !p.email.empty() && looks_alike(p.email, email))
            return "address " + email + (p.email == email ? " is already used by '" : " looks like the address of '") +
                   p.name + "' (" + p.email + ")";
    }
    return {};
}

int cmd_user(const std::vector<std::string>& args) {
    auto d = common_options();
    d.add_options()
        ("email", po::value<std::string>(), "calendar user address")
        ("password-stdin", "read the password from standard input")
        ("quota", po::value<std::string>(), "limits: storage quota in bytes (K, M, G, T suffixes) or 'default'")
        ("max-calendars", po::value<std::string>(), "limits: most calendars (0: no limit) or 'default'")
        ("max-objects", po::value<std::string>(), "limits: most objects per calendar (0: no limit) or 'default'");
    std::vector<std::string> pos;
    auto vm = parse(args, d, pos);
    if (pos.empty()) throw UsageError("user: expected add, passwd, list, limits or del");
    const std::string& verb = pos[0];
    Config c = load_config(vm);
    auto need_name = [&] {
        if (pos.size() != 2) throw UsageError("user " + verb + ": expected one NAME");
        return checked_name(pos[1]);
    };
    if (verb == "add") {
        auto name = need_name();
        std::string email = checked_email(vm.count("email") ? vm["email"].as<std::string>() : "");
        auto password = read_password(vm.count("password-stdin") > 0);
        auto store = open_backend(c);
        if (auto why = look_alike_problem(*store, name, email); !why.empty()) {
            std::cerr << "kalends: user not added: " << why << "\n";
            return 1;
        }
        auto status = store->add_user(name, email, hash_password(password));
        if (status == caldav::StoreStatus::exists) {
            std::cerr << "kalends: user '" << name << "' already exists\n";
            return 1;
        }
        if (status != caldav::StoreStatus::ok) {
            std::cerr << "kalends: cannot add user '" << name << "': database busy or full\n";
            return 1;
        }
        std::cout << "added user " << name << "\n";
        return 0;
    }
    // An existing account: its name as stored, or else in NFC. A name stored
    // before the rules above (say with a trailing space) can still be fixed.
    auto existing_name = [&](AccountStore& store) {
        if (pos.size() != 2) throw UsageError("user " + verb + ": expected one NAME");
        for (const auto& p : store.list_principals())
            if (p.name == pos[1]) return pos[1];
        return to_nfc(pos[1]).value_or(pos[1]);
    };
    if (verb == "passwd") {
        if (pos.size() != 2) throw UsageError("user passwd: expected one NAME");
        auto password = read_password(vm.count("password-stdin") > 0);
        auto store = open_backend(c);
        auto name = existing_name(*store);
        if (store->set_password(name, hash_password(password)) != caldav::StoreStatus::ok) {
            std::cerr << "kalends: no user '" << name << "'\n";
            return 1;
        }
        std::cout << "password changed for " << name << "\n";
        return 0;
    }
    if (verb == "del") {
        auto store = open_backend(c);
        auto name = existing_name(*store);
        if (store->delete_user(name) != caldav::StoreStatus::ok) {
            std::cerr << "kalends: no user '" << name << "'\n";
            return 1;
        }
        std::cout << "deleted user " << name << " and their calendars\n";
        return 0;
    }
    if (verb == "limits") {
        auto store = open_backend(c);
        auto text = [&](const char* key) {
            return vm.count(key) ? std::optional<std::string>(vm[key].as<std::string>()) : std::nullopt;
        };
        UserLimitsChange change{text("quota"), text("max-calendars"), text("max-objects")};
        return user_limits(*store, c.limits, existing_name(*store), change, std::cout, std::cerr);
    }
    if (verb == "list") {
        if (pos.size() != 1) throw UsageError("user list takes no arguments");
        auto store = open_backend(c);
        for (const auto& p : store->list_principals())
            std::cout << p.name << "\t" << p.kind << "\t" << (p.email.empty() ? "-" : p.email) << "\n";
        return 0;
    }
    throw UsageError("user: unknown action '" + verb + "'");
}

int cmd_resource(const std::vector<std::string>& args) {
    auto d = common_options();
    d.add_options()
        ("email", po::value<std::string>(), "calendar user address")
        ("type", po::value<std::string>()->default_value("room"), "room or resource")
        ("policy", po::value<std::string>()->default_value("accept-if-free"), "accept-if-free, always or manual");
    std::vector<std::string> pos;
    auto vm = parse(args, d, pos);
    if (pos.size() != 2 || pos[0] != "add") throw UsageError("resource: expected add NAME");
    auto name = checked_name(pos[1]);
    auto type = vm["type"].as<std::string>();
    auto policy = vm["policy"].as<std::string>();
    if (type != "room" && type != "resource") throw UsageError("--type is room or resource");
    if (policy != "accept-if-free" && policy != "always" && policy != "manual")
        throw UsageError("--policy is accept-if-free, always or manual");
    if (!vm.count("email")) throw UsageError("resource add needs --email with the address invitations name it by");
    std::string email = checked_email(vm["email"].as<std::string>());
    if (email.empty()) throw UsageError("resource add needs --email with the address invitations name it by");
    Config c = load_config(vm);
    auto store = open_backend(c);
    if (auto why = look_alike_problem(*store, name, email); !why.empty()) {
        std::cerr << "kalends: " << type << " not added: " << why << "\n";
        return 1;
    }
    auto status = store->add_resource(name, email, type, policy);
    if (status == caldav::StoreStatus::exists) {
        std::cerr << "kalends: '" << name << "' already exists\n";
        return 1;
    }
    if (status != caldav::StoreStatus::ok) {
        std::cerr << "kalends: cannot add '" << name << "': database busy or full\n";
        return 1;
    }
    std::cout << "added " << type << " " << name << " (" << policy << ")\n";
    return 0;
}

int cmd_token(const std::vector<std::string>& args) {
    auto d = common_options();
    d.add_options()("name", po::value<std::string>(), "the token's name (add)");
    std::vector<std::string> pos;
    auto vm = parse(args, d, pos);
    if (pos.empty()) throw UsageError("token: expected add, list or revoke");
    const std::string& verb = pos[0];
    if (verb == "add") {
        if (pos.size() != 2) throw UsageError("token add: expected one USER");
        if (!vm.count("name")) throw UsageError("token add: expected --name NAME");
        auto store = open_backend(load_config(vm));
        return token_add(*store, pos[1], vm["name"].as<std::string>(), std::cout, std::cerr);
    }
    if (verb == "list") {
        if (pos.size() != 2) throw UsageError("token list: expected one USER");
        auto store = open_backend(load_config(vm));
        return token_list(*store, pos[1], std::cout, std::cerr);
    }
    if (verb == "revoke") {
        if (pos.size() != 3) throw UsageError("token revoke: expected USER NAME");
        auto store = open_backend(load_config(vm));
        return token_revoke(*store, pos[1], pos[2], std::cout, std::cerr);
    }
    throw UsageError("token: unknown action '" + verb + "'");
}

int cmd_share(const std::vector<std::string>& args) {
    auto d = common_options();
    d.add_options()("permission", po::value<std::string>(), "view, edit, admin or free-busy");
    std::vector<std::string> pos;
    auto vm = parse(args, d, pos);
    if (!pos.empty() && pos[0] == "list") {
        if (pos.size() != 2) throw UsageError("share list: expected OWNER or OWNER/CALENDAR");
        auto store = open_backend(load_config(vm));
        return share_list(*store, pos[1], std::cout, std::cerr);
    }
    if (pos.size() != 2) throw UsageError("share: expected OWNER/CALENDAR USER");
    if (!vm.count("permission")) throw UsageError("share: expected --permission view|edit|admin|free-busy");
    auto config = load_config(vm);
    auto store = open_backend(config);
    // Issue 25 §9: the sharee is e-mailed as when shared over CalDAV.
    std::unique_ptr<ImipComposer> imip;
    if (config.smtp.enabled()) imip = std::make_unique<ImipComposer>(config.smtp, config.mail_per_minute);
    // With a public URL the message links to the calendar, as the server's does.
    if (imip && config.imip.enabled()) imip->set_answer_links(config.imip, rsvp_link_secret(config));
    return share_add(*store, pos[0], pos[1], vm["permission"].as<std::string>(), std::cout, std::cerr, imip.get());
}

int cmd_unshare(const std::vector<std::string>& args) {
    auto d = common_options();
    std::vector<std::string> pos;
    auto vm = parse(args, d, pos);
    if (pos.size() != 2) throw UsageError("unshare: expected OWNER/CALENDAR USER");
    auto store = open_backend(load_config(vm));
    return share_remove(*store, pos[0], pos[1], std::cout, std::cerr);
}

// Public feeds (issue 25 §8; src/cli/feed_command.hpp).
int cmd_feed(const std::vector<std::string>& args) {
    auto d = common_options();
    d.add_options()("free-busy", "busy time only (feed add)");
    std::vector<std::string> pos;
    auto vm = parse(args, d, pos);
    const std::string verb = pos.empty() ? "" : pos[0];
    if (verb == "add" && pos.size() == 2)
        return feed_add(*open_backend(load_config(vm)), pos[1], vm.count("free-busy") > 0, std::cout, std::cerr);
    if (verb == "list" && pos.size() == 2) return feed_list(*open_backend(load_config(vm)), pos[1], std::cout, std::cerr);
    if (verb == "revoke" && pos.size() == 3)
        return feed_revoke(*open_backend(load_config(vm)), pos[1], pos[2], std::cout, std::cerr);
    throw UsageError("feed: expected add OWNER/CALENDAR [--free-busy], list OWNER/CALENDAR or revoke OWNER/CALENDAR ID");
}

int cmd_imip(const std::vector<std::string>& args) {
    auto d = common_options();
    d.add_options()
        ("sender", po::value<std::string>(), "envelope sender (default: $SENDER)")
        ("recipient", po::value<std::string>(), "envelope recipient (default: $RECIPIENT)");
    std::vector<std::string> pos;
    auto vm = parse(args, d, pos);
    if (pos.size() != 1 || (pos[0] != "deliver" && pos[0] != "queue"))
        throw UsageError("imip: expected deliver or queue");
    if (pos[0] == "queue") {
        auto store = open_backend(load_config(vm));
        for (const auto& m : store->list_mail())
            std::cout << m.id << "\t" << m.recipient << "\t" << m.uid << "\tattempts=" << m.attempts
                      << "\tcreated=" << m.created_at << "\tnext=" << m.next_attempt_at << "\t"
                      << (m.last_error.empty() ? "-" : m.last_error) << "\n";
        return 0;
    }
    auto from_env = [](const char* name) {
        const char* v = std::getenv(name);
        return std::string(v ? v : "");
    };
    std::string sender = vm.count("sender") ? vm["sender"].as<std::string>() : from_env("SENDER");
    std::string recipient = vm.count("recipient") ? vm["recipient"].as<std::string>() : from_env("RECIPIENT");
    try {
        Config c = load_config(vm);
        auto store = open_backend(c);
        int status = deliver_imip(*store, c, std::cin, sender, recipient);
        store->close();
        return status;
    } catch (const std::exception& e) {
        // The MTA keeps the message and tries again (EX_TEMPFAIL).
        std::cerr << "kalends: imip: " << e.what() << "\n";
        return imip_tempfail;
    }
}

/// backup, restore and check (issue 29 §2).
int cmd_database(const std::string& command, const std::vector<std::string>& args) {
    std::vector<std::string> pos;
    auto vm = parse(args, common_options(), pos);
    return run_database_command(command, pos, load_config(vm), std::cout, std::cerr);
}

/// The options of `import USER --from URL` and `--from-radicale DIR` (issue 29 §4).
void add_migrate_options(po::options_description& d) {
    d.add_options()
        ("from", po::value<std::string>(), "CalDAV server URL to pull every calendar of the user from")
        ("from-radicale", po::value<std::string>(), "Radicale storage folder to read the user's calendars from")
        ("user", po::value<std::string>(), "login on the other server (default: none) or Radicale folder name")
        ("password-file", po::value<std::string>(), "file whose first line is the password for --user")
        ("merge", "add to a calendar of the same name that already holds objects");
}

int cmd_migrate(const po::variables_map& vm, const std::vector<std::string>& pos, const Config& c) {
    if (pos.size() != 1) throw UsageError("import --from: expected one USER");
    if (vm.count("from") && vm.count("from-radicale")) throw UsageError("import: --from or --from-radicale, not both");
    MigrateOptions o;
    o.user = pos[0];
    o.from_url = vm.count("from") ? vm["from"].as<std::string>() : "";
    o.radicale_dir = vm.count("from-radicale") ? vm["from-radicale"].as<std::string>() : "";
    o.remote_user = vm.count("user") ? vm["user"].as<std::string>() : "";
    o.merge = vm.count("merge") > 0;
    o.progress = isatty(STDERR_FILENO) != 0;
    if (vm.count("password-file")) {
        std::string error;
        o.password = read_password_file(vm["password-file"].as<std::string>(), error);
        if (!error.empty()) throw ConfigError(error);
    } else if (const char* p = std::getenv(migrate_password_variable)) {
        o.password = p;
    }
    if (!o.from_url.empty() && !o.remote_user.empty() && o.password.empty())
        throw UsageError(std::string("--user needs --password-file FILE or ") + migrate_password_variable);
    ical::load_builtin_zone_table();
    auto store = open_backend(c);
    int status = migrate_calendars(*store, c.limits, o, std::cout, std::cerr);
    store->close();
    return status;
}

/// import and export (issue 29 §3).
int cmd_import_export(const std::string& command, const std::vector<std::string>& args) {
    auto d = common_options();
    if (command == "import") add_migrate_options(d);
    std::vector<std::string> pos;
    auto vm = parse(args, d, pos);
    Config c = load_config(vm);
    if (vm.count("from") || vm.count("from-radicale")) return cmd_migrate(vm, pos, c);
    if (command == "export") {
        if (pos.empty() || pos.size() > 2) throw UsageError("export: expected USER[/CALENDAR] [FILE]");
        auto store = open_backend(c);
        if (pos.size() == 1) return export_calendar(*store, pos[0], std::cout, std::cerr);
        std::ofstream file(pos[1], std::ios::binary);
        if (!file) throw ConfigError(pos[1] + ": cannot write");
        int status = export_calendar(*store, pos[0], file, std::cerr);
        file.close();
        return file ? status : 1;
    }
    if (pos.size() != 2) throw UsageError("import: expected USER[/CALENDAR] FILE.ics");
    std::ifstream in(pos[1], std::ios::binary);
    if (!in) throw ConfigError(pos[1] + ": cannot read");
    std::stringstream text;
    text << in.rdbuf();
    // The time zones of files that name them without a VTIMEZONE.
    ical::load_builtin_zone_table();
    auto store = open_backend(c);
    int status = import_calendar(*store, c.limits, pos[0], text.str(), isatty(STDERR_FILENO) != 0, std::cout, std::cerr);
    store->close();
    return status;
}

/// jobs: what the job queue holds (issue 26 §7).
int cmd_jobs(const std::vector<std::string>& args) {
    auto d = common_options();
    d.add_options()("kind", po::value<std::string>(), "only jobs of this kind (mail, reminder, ...)")(
        "all", "also the jobs due later");
    std::vector<std::string> pos;
    auto vm = parse(args, d, pos);
    if (!pos.empty() && !(pos.size() == 1 && pos[0] == "list")) throw UsageError("jobs: expected no argument or list");
    auto store = open_backend(load_config(vm));
    return jobs_list(*store, static_cast<std::int64_t>(std::time(nullptr)),
                     vm.count("kind") ? vm["kind"].as<std::string>() : "", vm.count("all") > 0, std::cout);
}

}  // namespace

int run_cli(int argc, char** argv) {
    std::vector<std::string> args(argv + (argc > 0 ? 1 : 0), argv + argc);
    if (args.empty()) {
        std::cerr << usage_text;
        return 2;
    }
    std::string command = args.front();
    args.erase(args.begin());
    try {
        if (command == "serve") return cmd_serve(args);
        if (command == "user") return cmd_user(args);
        if (command == "resource") return cmd_resource(args);
        if (command == "token") return cmd_token(args);
        if (command == "share") return cmd_share(args);
        if (command == "unshare") return cmd_unshare(args);
        if (command == "feed") return cmd_feed(args);
        if (command == "ics") return run_ics_command(args);
        if (command == "imip") return cmd_imip(args);
        if (command == "backup" || command == "restore" || command == "check") return cmd_database(command, args);
        if (command == "import" || command == "export") return cmd_import_export(command, args);
        if (command == "jobs") return cmd_jobs(args);
        if (command == "version" || command == "--version") {
            std::cout << "kalends " KALENDS_VERSION "\n";
            return 0;
        }
        if (command == "help" || command == "--help" || command == "-h") {
            std::cout << usage_text;
            return 0;
        }
        throw UsageError("unknown command '" + command + "'");
    } catch (const UsageError& e) {
        std::cerr << "kalends: " << e.what() << "\n(try 'kalends help')\n";
        return 2;
    } catch (const ConfigError& e) {
        std::cerr << "kalends: " << e.what() << "\n";
        return 1;
    } catch (const std::exception& e) {
        std::cerr << "kalends: " << e.what() << "\n";
        return 1;
    }
}

}  // namespace server
