#pragma once
// Start-up of the GUI: application identity, settings, the UI language
// (ui_language.h), the compute runtime (threads from the settings, default
// all cores) and the main window.
// main.cpp only calls runWorkbench(). GUI thread only.

#include <QString>

namespace awb {

struct WorkbenchOptions
{
    QString screenshotPath;   // --screenshot FILE: save the window to FILE, then quit
    int width = 0;            // --size WxH for screenshots; 0 keeps the saved geometry
    int height = 0;
    int threads = -1;         // --threads N overrides the setting compute/threads for this run
    bool demo = false;        // --demo: open the shipped demo (workspace: --workspace, else the user's demo.awb)
    QString workspacePath;    // --workspace FILE, or FILE alone: open (create) this workspace
    int trainSteps = 0;       // --train-steps N: start GRPO for N steps at once; with --screenshot, shoot when done
    bool stallReport = false; // --stall-report: print the longest event-loop stall when quitting
    QString language;         // --language CODE ("en", "de", "zh_CN"): overrides the setting ui/language for this run
};

// Parses the GUI command line (QCommandLineParser); on a bad option prints the
// usage to stderr and returns false.
bool parseWorkbenchArguments(const QStringList &arguments, WorkbenchOptions *options, QString *error);

int runWorkbench(int argc, char **argv);

} // namespace awb
