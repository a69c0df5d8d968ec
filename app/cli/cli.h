#pragma once
// The headless command line, `awb`. Links awb_core only, never a Qt GUI module,
// so it runs on servers. The contract (DESIGN.md, "CLI contract") is stable:
// results on stdout, one-line errors on stderr naming what and where, non-zero
// exit codes on failure.

#include <iosfwd>

namespace awb {

// Runs the command line with the given streams (the tests pass string streams).
// Returns the process exit code; never throws.
int runCli(int argc, const char *const *argv, std::ostream &out, std::ostream &err);

} // namespace awb
