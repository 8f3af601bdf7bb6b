// The `kalends` command line: subcommands serve, user, token, ics, version, help (man/kalends.8).
#pragma once

namespace server {

/// Runs the program for argv; returns the process exit status.
int run_cli(int argc, char** argv);

}  // namespace server
