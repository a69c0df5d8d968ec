#pragma once
// The `awb` executable of this build run as a user runs it, for the CLI tests:
// its exit code (-1 when it crashed or ran past ten minutes), stdout and stderr.
#include <QByteArray>
#include <QProcess>
#include <QString>
#include <QStringList>

namespace awb::test {

inline const QString kAwb = QStringLiteral(AWB_BINARY_DIR "/app/awb");
inline const QString kDemo = QStringLiteral(AWB_DEMO_SMALL_DIR);

struct Result
{
    int code = -1;
    QByteArray out, err;
};

inline Result runAwb(const QStringList &args)
{
    QProcess p;
    p.start(kAwb, args);
    if (!p.waitForFinished(600000))
        return {};
    return {p.exitStatus() == QProcess::NormalExit ? p.exitCode() : -1, p.readAllStandardOutput(),
            p.readAllStandardError()};
}

} // namespace awb::test
