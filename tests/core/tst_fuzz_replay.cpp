// The committed fuzz corpora (tests/fuzz/corpus/<target>/: seeds of valid files
// and the reproducers of every crash the fuzzers found) replayed through the
// same entries the libFuzzer targets run (tests/fuzz/fuzz_entries.h), in the
// normal build. Each file must end in success or an awb::Error refusal (which
// the entries catch); any other exception fails the test naming the file.
#include "fuzz_entries.h"

#include <QDir>
#include <QFile>
#include <QtTest>

#include <exception>
#include <string>

namespace {

QString corpusDir()
{
    return QStringLiteral(AWB_FUZZ_CORPUS_DIR);
}

} // namespace

class TestFuzzReplay : public QObject
{
    Q_OBJECT

private slots:
    void everyTargetHasACorpus();
    void replay_data();
    void replay();
};

void TestFuzzReplay::everyTargetHasACorpus()
{
    const QStringList folders = QDir(corpusDir()).entryList(QDir::Dirs | QDir::NoDotAndDotDot);
    QStringList registered;
    for (const auto &t : awb::fuzz::targets()) {
        registered << QString::fromLatin1(t.name);
        const QDir corpus(corpusDir() + "/" + t.name);
        QVERIFY2(corpus.exists() && !corpus.entryList(QDir::Files).isEmpty(), t.name);
    }
    // A folder without an entry would build a fuzz target that cannot start.
    for (const QString &folder : folders)
        QVERIFY2(registered.contains(folder), qPrintable(folder + " has no entry in fuzz_entries.cpp"));
}

void TestFuzzReplay::replay_data()
{
    QTest::addColumn<QString>("target");
    QTest::addColumn<QString>("file");
    for (const auto &t : awb::fuzz::targets()) {
        const QDir corpus(corpusDir() + "/" + t.name);
        for (const QString &name : corpus.entryList(QDir::Files, QDir::Name))
            QTest::newRow(qPrintable(QString::fromLatin1(t.name) + "/" + name))
                << QString::fromLatin1(t.name) << corpus.filePath(name);
    }
}

void TestFuzzReplay::replay()
{
    QFETCH(QString, target);
    QFETCH(QString, file);
    QFile f(file);
    QVERIFY2(f.open(QIODevice::ReadOnly), qPrintable(file));
    const QByteArray bytes = f.readAll();
    const awb::fuzz::Entry entry = awb::fuzz::entryFor(target.toStdString());
    try {
        entry(reinterpret_cast<const std::uint8_t *>(bytes.constData()), static_cast<std::size_t>(bytes.size()));
    } catch (const awb::fuzz::Finding &e) {
        QFAIL(qPrintable(file + ": a broken promise: " + QString::fromStdString(e.what())));
    } catch (const std::exception &e) {
        QFAIL(qPrintable(file + ": an exception that is not awb::Error: " + QString::fromStdString(e.what())));
    } catch (...) {
        QFAIL(qPrintable(file + ": a thrown non-exception"));
    }
}

QTEST_GUILESS_MAIN(TestFuzzReplay)
#include "tst_fuzz_replay.moc"
