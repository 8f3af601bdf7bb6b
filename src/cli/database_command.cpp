// The database commands of the command line (src/cli/database_command.hpp).
#include "src/cli/database_command.hpp"

#include <chrono>

#include "src/storage/database_tools.hpp"

namespace server {

namespace {

int backup(const std::vector<std::string>& args, const Config& c, std::ostream& out) {
    auto written = backup_database(c.database_file(), args.at(0));
    out << "backed up " << c.database_file().string() << " to " << written.string() << "\n";
    return 0;
}

int restore(const std::vector<std::string>& args, const Config& c, std::ostream& out) {
    prepare_data_dir(c);
    auto kept = restore_database(args.at(0), c.database_file());
    out << "restored " << c.database_file().string() << " from " << args.at(0) << "\n";
    if (!kept.empty()) out << "the database it replaced is kept as " << kept.string() << "\n";
    return 0;
}

int check(const Config& c, std::ostream& out) {
    auto now = std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch())
                   .count();
    auto report = check_database(c.database_file(), c.limits, now);
    for (const auto& p : report.problems) out << p << "\n";
    out << c.database_file().string() << ": " << report.objects << " objects, " << report.indexed_objects
        << " time indexes rebuilt and compared (" << report.instance_rows << " rows): "
        << (report.problems.empty() ? std::string("clean") : std::to_string(report.problems.size()) + " problems")
        << "\n";
    return report.problems.empty() ? 0 : 1;
}

}  // namespace

int run_database_command(const std::string& command, const std::vector<std::string>& args, const Config& config,
                         std::ostream& out, std::ostream& err) {
    std::size_t wanted = command == "check" ? 0 : 1;
    if (args.size() != wanted) {
        err << "kalends: " << command << ": expected "
            << (command == "backup" ? "DEST" : command == "restore" ? "SRC" : "no arguments") << "\n";
        return 2;
    }
    if (config.storage_backend == "postgresql") {  // the tools read and write the SQLite file
        err << "kalends: " << command << ": works on the SQLite backend only; on PostgreSQL use pg_dump, "
            << "pg_restore and the server's own tools\n";
        return 2;
    }
    try {
        if (command == "backup") return backup(args, config, out);
        if (command == "restore") return restore(args, config, out);
        return check(config, out);
    } catch (const DatabaseToolError& e) {
        err << "kalends: " << command << ": " << e.what() << "\n";
        return 1;
    } catch (const std::filesystem::filesystem_error& e) {
        err << "kalends: " << command << ": " << e.what() << "\n";
        return 1;
    }
}

}  // namespace server
