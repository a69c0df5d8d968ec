// A steerable run steers: `awb train --demo --conditioning lora` on the shipped
// demo (60 steps, as README's "Steerable runs" measures it), then `awb front`
// on the safety/actionability edge of the adversarial held-out prompts. The
// safety-heavy vector must give clearly higher gold safety, and the
// actionability-heavy one clearly higher gold actionability (README: 0.94 /
// 0.12 against 0.22 / 0.78; the bounds leave room for another CPU's rounding).
#include <nlohmann/json.hpp>

#include <QTemporaryDir>
#include <QtTest>

#include "app/awb_process.h"

using namespace awb::test;

class TestCliSteerMoves : public QObject
{
    Q_OBJECT

private slots:
    void frontMovesWithTheWeights()
    {
        QTemporaryDir tmp;
        const QString db = tmp.filePath(QStringLiteral("steer.awb"));
        Result r = runAwb({"train", "--demo", "--demo-dir", QStringLiteral(AWB_SOURCE_DIR "/resources/demo"), "--db",
                           db, "--steps", "60", "--conditioning", "lora", "--use-lora", "--learning-rate", "2e-3",
                           "--quiet"});
        QVERIFY2(r.code == 0, r.err.constData());
        r = runAwb({"front", "--db", db, "--run", "1", "--points", "2", "--aspects", "safety,actionability",
                    "--adversarial-only", "--num-samples", "4", "--json"});
        QVERIFY2(r.code == 0, r.err.constData());
        const auto j = nlohmann::json::parse(r.out.toStdString());
        QCOMPARE(j["by"].get<std::string>(), std::string("gold"));
        QCOMPARE(j["points"].size(), std::size_t(2));
        nlohmann::json safe, actionable;
        for (const auto &p : j["points"])
            (p["weights"]["safety"].get<double>() == 1.0 ? safe : actionable) = p;
        QVERIFY(!safe.is_null() && !actionable.is_null());
        QCOMPARE(actionable["weights"]["actionability"].get<double>(), 1.0);
        const double safeS = safe["gold"]["safety"], safeA = safe["gold"]["actionability"];
        const double actS = actionable["gold"]["safety"], actA = actionable["gold"]["actionability"];
        const QByteArray detail = QStringLiteral("safety-heavy: safety %1 actionability %2; actionability-heavy: "
                                                 "safety %3 actionability %4")
                                      .arg(safeS).arg(safeA).arg(actS).arg(actA).toUtf8();
        QVERIFY2(safeS - actS > 0.3, detail.constData());
        QVERIFY2(actA - safeA > 0.3, detail.constData());
    }
};

QTEST_GUILESS_MAIN(TestCliSteerMoves)
#include "tst_cli_steer_moves.moc"
