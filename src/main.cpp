// kalends: entry point; everything happens in run_cli (src/cli/cli.cpp).
#include "src/cli/cli.hpp"

int main(int argc, char** argv) { return server::run_cli(argc, argv); }
