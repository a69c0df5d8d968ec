#pragma once
// For the tests that take the README's pictures: the workspace and picture
// folder the environment names (the test skips without them), and the window
// shown at 1600x1000 on that workspace.
#include "main_window.h"
#include "workbench_controller.h"

#include <QString>
#include <QtTest>

namespace awb::test {

// False when `workspaceVariable` or AWB_SCREENSHOT_DIR is not set: the caller skips.
inline bool readmePictureInputs(const char *workspaceVariable, QString *workspace, QString *shots)
{
    *workspace = qEnvironmentVariable(workspaceVariable);
    *shots = qEnvironmentVariable("AWB_SCREENSHOT_DIR");
    return !workspace->isEmpty() && !shots->isEmpty();
}

// Shows `window` at 1600x1000 with `c` on `workspace`; an empty string, or what went wrong.
inline QString showForPictures(MainWindow &window, WorkbenchController &c, const QString &workspace)
{
    window.resize(1600, 1000);
    window.show();
    if (!QTest::qWaitForWindowExposed(&window))
        return QStringLiteral("the window was not exposed");
    QString error;
    if (!c.openWorkspace(workspace, &error))
        return error.isEmpty() ? QStringLiteral("cannot open ") + workspace : error;
    return {};
}

} // namespace awb::test
