// The headless command line `awb`: everything lives in awb_cli.
#include "cli/cli.h"

#include <iostream>

int main(int argc, char **argv)
{
    return awb::runCli(argc, argv, std::cout, std::cerr);
}
