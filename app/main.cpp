// alignment-workbench: the GUI. Everything lives in awb_app.
#include "workbench_app.h"

int main(int argc, char **argv)
{
    return awb::runWorkbench(argc, argv);
}
