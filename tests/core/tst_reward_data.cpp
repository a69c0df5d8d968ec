// Reward-model data: every layout (labels, scores as JSONL, CSV and gzip,
// HelpSteer2, preference pairs, HH-RLHF transcripts) read from small files
// with hand-known contents; how the schema and its ranges are chosen
// (--aspects, the workspace, the data); bad input, whose errors must name the
// file and the line; and the --data and --aspects argument parsers.
#include "reward/reward_data.h"
#include "util/error.h"

#include <QtTest>

using namespace awb;

#include "core/reward_data_helpers.h"

using namespace rewarddatatest;

class TestRewardData : public QObject
{
    Q_OBJECT

private slots:
    void layouts_data();
    void layouts();
    void mixed_data();
    void mixed();
    void ranges_data();
    void ranges();
    void badInput_data();
    void badInput();
    void aspectList_data();
    void aspectList();
    void dataArgument_data();
    void dataArgument();

private:
    QTemporaryDir m_dir;
};

void TestRewardData::layouts_data()
{
    QTest::addColumn<QString>("file");
    QTest::addColumn<QByteArray>("content");
    QTest::addColumn<QString>("aspect");   // the ASPECT of FILE:ASPECT
    QTest::addColumn<QString>("layout");
    QTest::addColumn<int>("records");
    QTest::addColumn<int>("skipped");
    QTest::addColumn<QString>("schema");
    QTest::addColumn<QStringList>("examples");
    QTest::addColumn<QStringList>("pairs");
    QTest::addColumn<QStringList>("warnings");   // %1: the file's path

    QTest::newRow("labels, partial")
        << "labels.jsonl"
        << QByteArray(R"({"prompt":"p1","response":"r1","labels":{"safe":1,"polite":0.5}})"
                      "\n"
                      R"({"prompt":"p2","response":"r2","labels":{"safe":0}})"
                      "\n"
                      R"({"prompt":"p3","response":"r3","labels":{"safe":null,"polite":0.25}})"
                      "\n"
                      R"({"prompt":"p4","response":"r4","labels":{}})"
                      "\n")
        << "" << "labels" << 3 << 1 << "safe[0,1] polite[0,1]"
        << QStringList{"p1|r1|1,0.5", "p2|r2|0,-", "p3|r3|-,0.25"} << QStringList{}
        << QStringList{assumed("safe", "[0, 1]"), assumed("polite", "[0, 1]")};

    // "source" holds text, so it is not an aspect; keys keep the file's order.
    QTest::newRow("scores jsonl")
        << "scores.jsonl" << kScores << "" << "scores" << 3 << 0 << "safe[0,1] helpful[1,5]"
        << QStringList{"p1|r1|0.5,3", "p2|r2|-,5", "p3|r3|-,1"} << QStringList{}
        << QStringList{assumed("safe", "[0, 1]"), assumed("helpful", "[1, 5]")};

    QTest::newRow("scores jsonl.gz")
        << "scores.jsonl.gz" << kScores << "" << "scores" << 3 << 0 << "safe[0,1] helpful[1,5]"
        << QStringList{"p1|r1|0.5,3", "p2|r2|-,5", "p3|r3|-,1"} << QStringList{}
        << QStringList{assumed("safe", "[0, 1]"), assumed("helpful", "[1, 5]")};

    const QByteArray csv = "prompt,response,safe,helpful,note\n"
                           "\"Hello, world\",r1,0.5,3,a\n"
                           "p2,\"yes, really\",,5,\"b, c\"\n"
                           "p3,\"two\nlines\",1,,\n";
    QTest::newRow("scores csv")
        << "scores.csv" << csv << "" << "scores" << 3 << 0 << "safe[0,1] helpful[3,5]"
        << QStringList{"Hello, world|r1|0.5,3", "p2|yes, really|-,5", "p3|two\nlines|1,-"} << QStringList{}
        << QStringList{assumed("safe", "[0, 1]"), assumed("helpful", "[3, 5]")};

    QTest::newRow("scores csv.gz")
        << "scores.csv.gz" << csv << "" << "scores" << 3 << 0 << "safe[0,1] helpful[3,5]"
        << QStringList{"Hello, world|r1|0.5,3", "p2|yes, really|-,5", "p3|two\nlines|1,-"} << QStringList{}
        << QStringList{assumed("safe", "[0, 1]"), assumed("helpful", "[3, 5]")};

    // An empty cell in the first row is unlabelled there; the column is still an aspect.
    QTest::newRow("scores csv, empty first cell")
        << "empty_first.csv" << QByteArray("prompt,response,safe,helpful\np1,r1,,2\np2,r2,0.5,4\n") << "" << "scores"
        << 2 << 0 << "safe[0,1] helpful[2,4]" << QStringList{"p1|r1|-,2", "p2|r2|0.5,4"} << QStringList{}
        << QStringList{assumed("safe", "[0, 1]"), assumed("helpful", "[2, 4]")};

    // Spreadsheets save "CSV UTF-8" with a byte-order mark before the header.
    QTest::newRow("scores csv with BOM")
        << "bom.csv" << QByteArray("\xEF\xBB\xBFprompt,response,safe\r\np1,r1,1\r\n") << "" << "scores" << 1 << 0
        << "safe[0,1]" << QStringList{"p1|r1|1"} << QStringList{} << QStringList{assumed("safe", "[0, 1]")};

    // Data ranges would be helpfulness [0, 3], complexity [1, 2], ...: the 0-4 rule wins, silently.
    QTest::newRow("helpsteer2")
        << "helpsteer2.jsonl"
        << QByteArray(R"({"prompt":"p1","response":"r1","helpfulness":3,"correctness":4,"coherence":4,"complexity":1,"verbosity":2})"
                      "\n"
                      R"({"prompt":"p2","response":"r2","helpfulness":0,"correctness":1,"coherence":3,"complexity":2,"verbosity":1})"
                      "\n")
        << "" << "helpsteer2" << 2 << 0
        << "helpfulness[0,4] correctness[0,4] coherence[0,4] complexity[0,4] verbosity[0,4]"
        << QStringList{"p1|r1|3,4,4,1,2", "p2|r2|0,1,3,2,1"} << QStringList{} << QStringList{};

    QTest::newRow("preference")
        << "pref.jsonl"
        << QByteArray(R"({"prompt":"q1","chosen":"good","rejected":"bad"})"
                      "\n"
                      R"({"prompt":"q2","chosen":"yes","rejected":"no","extra":1})"
                      "\n")
        << "safe" << "preference" << 2 << 0 << "safe[0,1]" << QStringList{}
        << QStringList{"0:q1|good|bad", "0:q2|yes|no"} << QStringList{pairsOnly("safe")};

    QTest::newRow("preference csv")
        << "pref.csv" << QByteArray("prompt,chosen,rejected\n\"q, 1\",good,bad\n") << "safe" << "preference" << 1 << 0
        << "safe[0,1]" << QStringList{} << QStringList{"0:q, 1|good|bad"} << QStringList{pairsOnly("safe")};

    // The second pair's conversations differ before the last reply: skipped with a warning.
    QTest::newRow("hh-rlhf")
        << "hh.jsonl" << kHh << "helpful" << "hh-rlhf" << 1 << 1 << "helpful[0,1]" << QStringList{}
        << QStringList{"0:Human: Hi\n\nAssistant: Hello!\n\nHuman: Name a fruit.|An apple.|A brick."}
        << QStringList{pairsOnly("helpful"),
                       "%1: 1 pairs skipped whose chosen and rejected conversations differ before the last reply"};
}

void TestRewardData::layouts()
{
    QFETCH(QString, file);
    QFETCH(QByteArray, content);
    QFETCH(QString, aspect);
    QFETCH(QString, layout);
    QFETCH(int, records);
    QFETCH(int, skipped);
    QFETCH(QString, schema);
    QFETCH(QStringList, examples);
    QFETCH(QStringList, pairs);
    QFETCH(QStringList, warnings);

    const std::string path = writeFile(m_dir, file, content);
    const RewardDataset d = loadRewardData({{path, aspect.toStdString()}}, {}, std::nullopt);
    QCOMPARE(d.files.size(), 1u);
    QCOMPARE(d.files[0].path, path);
    QCOMPARE(QString::fromStdString(d.files[0].layout), layout);
    QCOMPARE(d.files[0].records, std::int64_t(records));
    QCOMPARE(d.files[0].skipped, std::int64_t(skipped));
    QCOMPARE(schemaText(d.schema), schema);
    QCOMPARE(d.files[0].aspects, d.schema.names());
    QCOMPARE(exampleTexts(d), examples);
    QCOMPARE(pairTexts(d), pairs);
    QCOMPARE(toQt(d.warnings), withPaths(warnings, path));
}

void TestRewardData::mixed_data()
{
    QTest::addColumn<QString>("prefAspect");
    QTest::addColumn<QString>("aspects");   // --aspects, may be empty
    QTest::addColumn<QString>("schema");
    QTest::addColumn<int>("pairAspect");
    QTest::addColumn<QStringList>("examples");
    QTest::addColumn<QStringList>("warnings");   // %1: the scores file, %2: the preference file

    QTest::newRow("new aspect") << "polite" << "" << "safe[0,1] helpful[3,5] polite[0,1]" << 2
                                << QStringList{"p1|r1|0.5,3,-", "p2|r2|1,5,-"}
                                << QStringList{assumed("safe", "[0, 1]"), assumed("helpful", "[3, 5]"), pairsOnly("polite")};
    QTest::newRow("shared aspect") << "helpful" << "" << "safe[0,1] helpful[3,5]" << 1
                                   << QStringList{"p1|r1|0.5,3", "p2|r2|1,5"}
                                   << QStringList{assumed("safe", "[0, 1]"), assumed("helpful", "[3, 5]")};
    QTest::newRow("--aspects order") << "polite" << "polite:0:1,safe:0:1,helpful:0:5"
                                     << "polite[0,1] safe[0,1] helpful[0,5]" << 0
                                     << QStringList{"p1|r1|-,0.5,3", "p2|r2|-,1,5"} << QStringList{};
}

void TestRewardData::mixed()
{
    QFETCH(QString, prefAspect);
    QFETCH(QString, aspects);
    QFETCH(QString, schema);
    QFETCH(int, pairAspect);
    QFETCH(QStringList, examples);
    QFETCH(QStringList, warnings);

    const std::string scores = writeFile(m_dir, "mixed_scores.jsonl",
                                         R"({"prompt":"p1","response":"r1","safe":0.5,"helpful":3})"
                                         "\n"
                                         R"({"prompt":"p2","response":"r2","safe":1,"helpful":5})"
                                         "\n");
    const std::string pref = writeFile(m_dir, "mixed_pref.jsonl", R"({"prompt":"q","chosen":"c","rejected":"r"})");
    const RewardDataset d
        = loadRewardData({{scores, ""}, {pref, prefAspect.toStdString()}}, requestsOf(aspects), std::nullopt);
    QCOMPARE(schemaText(d.schema), schema);
    QCOMPARE(d.files.size(), 2u);
    QCOMPARE(d.files[0].layout, std::string("scores"));
    QCOMPARE(d.files[0].records, std::int64_t(2));
    QCOMPARE(d.files[1].layout, std::string("preference"));
    QCOMPARE(d.files[1].records, std::int64_t(1));
    QCOMPARE(d.files[1].aspects, std::vector<std::string>{prefAspect.toStdString()});
    QCOMPARE(exampleTexts(d), examples);
    QCOMPARE(pairTexts(d), QStringList{QString::number(pairAspect) + ":q|c|r"});
    QCOMPARE(d.schema.names().at(d.pairs[0].aspect), prefAspect.toStdString());
    QCOMPARE(toQt(d.warnings), withPaths(warnings, scores, pref));
}

void TestRewardData::ranges_data()
{
    QTest::addColumn<QByteArray>("content");   // a scores JSONL file
    QTest::addColumn<QString>("aspects");      // --aspects, may be empty
    QTest::addColumn<QString>("workspace");    // NAME:MIN:MAX,..., may be empty (none)
    QTest::addColumn<QString>("schema");
    QTest::addColumn<QStringList>("examples");
    QTest::addColumn<QStringList>("warnings");

    const QByteArray ab = R"({"prompt":"p1","response":"r1","a":5,"b":2})"
                          "\n"
                          R"({"prompt":"p2","response":"r2","a":7,"b":4})"
                          "\n";
    auto one = [](std::initializer_list<const char *> values) {
        QByteArray out;
        int i = 0;
        for (const char *v : values)
            out += R"({"prompt":"p)" + QByteArray::number(++i) + R"(","response":"r","a":)" + v + "}\n";
        return out;
    };

    QTest::newRow("--aspects range, b from data") << ab << "a:0:10,b" << "" << "a[0,10] b[2,4]"
                                                  << QStringList{"p1|r1|5,2", "p2|r2|7,4"}
                                                  << QStringList{assumed("b", "[2, 4]")};
    QTest::newRow("--aspects picks and orders") << ab << "b:0:5,a:0:10" << "" << "b[0,5] a[0,10]"
                                                << QStringList{"p1|r1|2,5", "p2|r2|4,7"} << QStringList{};
    QTest::newRow("--aspects subset") << ab << "b:0:5" << "" << "b[0,5]" << QStringList{"p1|r1|2", "p2|r2|4"}
                                      << QStringList{};
    QTest::newRow("workspace") << ab << "" << "a:0:10,b:-5:5" << "a[0,10] b[-5,5]"
                               << QStringList{"p1|r1|5,2", "p2|r2|7,4"} << QStringList{};
    QTest::newRow("workspace aspect without data")
        << ab << "" << "z:0:1,a:0:10" << "z[0,1] a[0,10]" << QStringList{"p1|r1|-,5", "p2|r2|-,7"}
        << QStringList{"aspect \"z\": no data file supervises it; its head keeps its initial weights"};
    QTest::newRow("--aspects names, workspace ranges")
        << ab << "b" << "a:0:10,b:0:5" << "b[0,5]" << QStringList{"p1|r1|2", "p2|r2|4"} << QStringList{};
    QTest::newRow("--aspects range over workspace")
        << ab << "a:0:20,b" << "a:0:10,b:0:5" << "a[0,20] b[0,5]" << QStringList{"p1|r1|5,2", "p2|r2|7,4"}
        << QStringList{};
    QTest::newRow("data in [0,1]") << one({"0.2", "0.9"}) << "" << "" << "a[0,1]" << QStringList{"p1|r|0.2", "p2|r|0.9"}
                                   << QStringList{assumed("a", "[0, 1]")};
    QTest::newRow("data 1..5") << one({"1", "5", "3"}) << "" << "" << "a[1,5]"
                               << QStringList{"p1|r|1", "p2|r|5", "p3|r|3"} << QStringList{assumed("a", "[1, 5]")};
    QTest::newRow("data fractional") << one({"0.5", "2.5"}) << "" << "" << "a[0,3]"
                                     << QStringList{"p1|r|0.5", "p2|r|2.5"} << QStringList{assumed("a", "[0, 3]")};
    QTest::newRow("data negative") << one({"-2", "0.5"}) << "" << "" << "a[-2,1]"
                                   << QStringList{"p1|r|-2", "p2|r|0.5"} << QStringList{assumed("a", "[-2, 1]")};
    QTest::newRow("data constant") << one({"3", "3"}) << "" << "" << "a[3,4]" << QStringList{"p1|r|3", "p2|r|3"}
                                   << QStringList{assumed("a", "[3, 4]")};
    QTest::newRow("--aspects without range, data")
        << one({"1", "5"}) << "a" << "" << "a[1,5]" << QStringList{"p1|r|1", "p2|r|5"}
        << QStringList{assumed("a", "[1, 5]")};
}

void TestRewardData::ranges()
{
    QFETCH(QByteArray, content);
    QFETCH(QString, aspects);
    QFETCH(QString, workspace);
    QFETCH(QString, schema);
    QFETCH(QStringList, examples);
    QFETCH(QStringList, warnings);

    const std::string path = writeFile(m_dir, "ranges.jsonl", content);
    const std::optional<AspectSchema> ws = workspace.isEmpty() ? std::nullopt : std::optional(schemaOf(workspace));
    const RewardDataset d = loadRewardData({{path, ""}}, requestsOf(aspects), ws);
    QCOMPARE(schemaText(d.schema), schema);
    QCOMPARE(exampleTexts(d), examples);
    QCOMPARE(toQt(d.warnings), withPaths(warnings, path));
}

void TestRewardData::badInput_data()
{
    QTest::addColumn<QString>("file");
    QTest::addColumn<QByteArray>("content");
    QTest::addColumn<QString>("aspect");    // the ASPECT of FILE:ASPECT
    QTest::addColumn<QString>("aspects");   // --aspects, may be empty
    QTest::addColumn<QString>("starts");    // the message's start; %1: the file's path
    QTest::addColumn<QString>("says");      // and something it must also say

    const QByteArray pref = R"({"prompt":"q1","chosen":"good","rejected":"bad"})"
                            "\n";
    const QByteArray scores = R"({"prompt":"p1","response":"r1","helpful":1})"
                              "\n";

    QTest::newRow("no column matches --aspects")
        << "nomatch.jsonl" << scores << "" << "safe,polite" << "%1: no column or key matches an aspect"
        << "aspects: safe, polite";
    QTest::newRow("no label matches --aspects")
        << "nomatch_labels.jsonl" << QByteArray(R"({"prompt":"p","response":"r","labels":{"helpful":1}})")
        << "" << "safe" << "%1: no column or key matches an aspect" << "helpful";
    QTest::newRow("no csv column matches --aspects")
        << "nomatch.csv" << QByteArray("prompt,response,helpful\np,r,1\n") << "" << "safe:0:1"
        << "%1: no column or key matches an aspect" << "aspects: safe";
    QTest::newRow("no numeric column")
        << "nonumber.jsonl" << QByteArray(R"({"prompt":"p","response":"r","note":"x"})") << "" << ""
        << "%1: no column or key matches an aspect" << "none holds a number";
    // Line 2 is blank, the bad record is on line 3.
    QTest::newRow("non-numeric score")
        << "nan.jsonl"
        << QByteArray(R"({"prompt":"p1","response":"r1","a":1})"
                      "\n\n"
                      R"({"prompt":"p2","response":"r2","a":"high"})"
                      "\n")
        << "" << "" << "%1:3: the score for aspect \"a\" is not a number" << "\"high\"";
    // The first record spans lines 2-3, so the bad one starts on line 4.
    QTest::newRow("non-numeric csv score")
        << "nan.csv" << QByteArray("prompt,response,a\n\"p\n1\",r1,1\np2,r2,lots\n") << "" << "a:0:1"
        << "%1:4: the score for aspect \"a\" is not a number" << "\"lots\"";
    QTest::newRow("non-numeric label")
        << "nan_labels.jsonl"
        << QByteArray(R"({"prompt":"p1","response":"r1","labels":{"a":1}})"
                      "\n"
                      R"({"prompt":"p2","response":"r2","labels":{"a":true}})"
                      "\n")
        << "" << "" << "%1:2: the score for aspect \"a\" is not a number" << "true";
    QTest::newRow("out of range")
        << "range.jsonl"
        << QByteArray(R"({"prompt":"p1","response":"r1","a":0.5})"
                      "\n"
                      R"({"prompt":"p2","response":"r2","a":11})"
                      "\n")
        << "" << "a:0:10" << "%1:2: the score 11" << "for aspect \"a\" is outside its range [0, 10]";
    QTest::newRow("below range, csv")
        << "range.csv" << QByteArray("prompt,response,a\np1,r1,2\np2,r2,3\np3,r3,0.5\n") << "" << "a:1:5"
        << "%1:4: the score 0.5" << "outside its range [1, 5]";
    QTest::newRow("helpsteer2 above 4")
        << "hs.jsonl"
        << QByteArray(R"({"prompt":"p","response":"r","helpfulness":5,"correctness":1,"coherence":1,"complexity":1,"verbosity":1})")
        << "" << "" << "%1:1: the score 5" << "\"helpfulness\" is outside its range [0, 4]";
    QTest::newRow("equal pair") << "same.jsonl"
                                << pref + R"({"prompt":"q2","chosen":"same","rejected":"same"})" << "safe" << ""
                                << "%1:2: the chosen and the rejected response are the same text" << "";
    QTest::newRow("equal hh pair")
        << "same_hh.jsonl"
        << QByteArray(R"({"chosen":"\n\nHuman: q\n\nAssistant: same ","rejected":"\n\nHuman: q\n\nAssistant: same"})")
        << "safe" << "" << "%1:1: the chosen and the rejected response are the same text" << "";
    QTest::newRow("hh without assistant turn")
        << "no_turn.jsonl"
        << QByteArray(R"({"chosen":"\n\nHuman: q\n\nAssistant: a","rejected":"just text"})") << "safe" << ""
        << "%1:1: a transcript has no \"Assistant:\" turn" << "";
    QTest::newRow("empty file") << "empty.jsonl" << QByteArray() << "" << "" << "%1: empty" << "";
    QTest::newRow("blank lines only") << "blank.jsonl" << QByteArray("\n  \n\r\n") << "" << "" << "%1: empty" << "";
    QTest::newRow("csv header only") << "header.csv" << QByteArray("prompt,response,a\n") << "" << "" << "%1: empty"
                                     << "";
    QTest::newRow("unrecognised layout")
        << "qa.jsonl" << QByteArray(R"({"question":"q","answer":"a"})") << "" << ""
        << "%1: the layout is not recognised" << "question";
    QTest::newRow("preference without aspect")
        << "pref_noaspect.jsonl" << pref << "" << "" << "%1: preference pairs need the aspect" << ":ASPECT";
    QTest::newRow("hh without aspect")
        << "hh_noaspect.jsonl" << kHh << "" << "" << "%1: preference pairs need the aspect" << ":ASPECT";
    QTest::newRow("score file with aspect")
        << "scores_aspect.jsonl" << scores << "safe" << "" << "%1: \":safe\" names the aspect of a preference file"
        << "scores layout";
    QTest::newRow("preference aspect not requested")
        << "pref_other.jsonl" << pref << "safe" << "helpful:0:1" << "%1: aspect \"safe\" is not one of the aspects"
        << "(helpful)";
    QTest::newRow("no record labelled")
        << "unlabelled.jsonl"
        << QByteArray(R"({"prompt":"p1","response":"r1","a":null})"
                      "\n"
                      R"({"prompt":"p2","response":"r2"})")
        << "" << "a:0:1" << "%1: no record holds a score" << "";
    QTest::newRow("response not text")
        << "notext.jsonl"
        << QByteArray(R"({"prompt":"p1","response":"r1","a":1})"
                      "\n"
                      R"({"prompt":"p2","response":5,"a":1})")
        << "" << "" << "%1:2: \"response\" must be text" << "";
    QTest::newRow("csv field count") << "short.csv" << QByteArray("prompt,response,a\np,r,1\np,r\n") << "" << ""
                                     << "%1:3: 2 fields, but the header has 3" << "";
    QTest::newRow("bad json") << "bad.jsonl"
                              << QByteArray(R"({"prompt":"p1","response":"r1","a":1})"
                                            "\n"
                                            R"({"prompt": nope})")
                              << "" << "" << "%1:2:" << "not valid JSON";
    QTest::newRow("not an object") << "array.jsonl" << QByteArray("[1, 2]\n") << "" << ""
                                   << "%1:1: expected a JSON object" << "";
}

void TestRewardData::badInput()
{
    QFETCH(QString, file);
    QFETCH(QByteArray, content);
    QFETCH(QString, aspect);
    QFETCH(QString, aspects);
    QFETCH(QString, starts);
    QFETCH(QString, says);

    const std::string path = writeFile(m_dir, file, content);
    const QString msg = messageOf<Error>(
        [&] { loadRewardData({{path, aspect.toStdString()}}, requestsOf(aspects), std::nullopt); });
    QVERIFY2(msg.startsWith(withPaths({starts}, path).at(0)), qPrintable(msg));
    QVERIFY2(msg.contains(says), qPrintable(msg));
}

void TestRewardData::aspectList_data()
{
    QTest::addColumn<QString>("text");
    QTest::addColumn<QString>("parsed");   // "name[min,max]" or "name" per entry; empty when it must throw
    QTest::addColumn<QString>("error");

    QTest::newRow("range and name") << "a:0:10,b" << "a[0,10] b" << "";
    QTest::newRow("spaces and empty entries") << " a : 1 : 5 , b ,, c" << "a[1,5] b c" << "";
    QTest::newRow("signed and exponent") << "a:-1.5:2e1" << "a[-1.5,20]" << "";
    QTest::newRow("two parts") << "a:1" << "" << "--aspects: \"a:1\" is not NAME or NAME:MIN:MAX";
    QTest::newRow("four parts") << "a:0:1:2" << "" << "--aspects: \"a:0:1:2\" is not NAME or NAME:MIN:MAX";
    QTest::newRow("trailing colon") << "a:0:1:" << "" << "--aspects: \"a:0:1:\" is not NAME or NAME:MIN:MAX";
    QTest::newRow("bad entry after a good one") << "b,a:1" << "" << "--aspects: \"a:1\" is not NAME or NAME:MIN:MAX";
    QTest::newRow("min above max") << "a:2:1" << "" << "--aspects: \"a:2:1\" needs numbers MIN < MAX";
    QTest::newRow("min equals max") << "a:1:1" << "" << "--aspects: \"a:1:1\" needs numbers MIN < MAX";
    QTest::newRow("min not a number") << "a:x:1" << "" << "--aspects: \"a:x:1\" needs numbers MIN < MAX";
    QTest::newRow("max half a number") << "a:0:1x" << "" << "--aspects: \"a:0:1x\" needs numbers MIN < MAX";
    QTest::newRow("empty min") << "a::1" << "" << "--aspects: \"a::1\" needs numbers MIN < MAX";
    QTest::newRow("no name") << ":0:1" << "" << "--aspects: an entry has no name";
    QTest::newRow("nothing") << " , " << "" << "--aspects: no aspect named";
}

void TestRewardData::aspectList()
{
    QFETCH(QString, text);
    QFETCH(QString, parsed);
    QFETCH(QString, error);

    if (!error.isEmpty()) {
        QCOMPARE(messageOf<Error>([&] { parseAspectList(text.toStdString()); }), error);
        return;
    }
    QStringList got;
    for (const AspectRequest &r : parseAspectList(text.toStdString())) {
        QCOMPARE(r.min.has_value(), r.max.has_value());
        got << QString::fromStdString(r.name) + (r.min ? "[" + num(*r.min) + "," + num(*r.max) + "]" : QString());
    }
    QCOMPARE(got.join(' '), parsed);
}

void TestRewardData::dataArgument_data()
{
    QTest::addColumn<QString>("create");     // a file to create in the temp dir first, may be empty
    QTest::addColumn<QString>("argument");   // %1: the temp dir
    QTest::addColumn<QString>("path");
    QTest::addColumn<QString>("aspect");

    QTest::newRow("file and aspect") << "" << "f.jsonl:safety" << "f.jsonl" << "safety";
    QTest::newRow("directory, file and aspect") << "" << "data/f.jsonl:safety" << "data/f.jsonl" << "safety";
    QTest::newRow("aspect trimmed") << "" << "f.jsonl: safety " << "f.jsonl" << "safety";
    QTest::newRow("file only") << "" << "f.jsonl" << "f.jsonl" << "";
    QTest::newRow("empty aspect") << "" << "f.jsonl:" << "f.jsonl:" << "";
    QTest::newRow("leading colon") << "" << ":safety" << ":safety" << "";
    QTest::newRow("colon in a directory") << "" << "./x:y/z.jsonl" << "./x:y/z.jsonl" << "";
    QTest::newRow("existing path with colon") << "a:b.jsonl" << "%1/a:b.jsonl" << "%1/a:b.jsonl" << "";
    QTest::newRow("existing path with colon, and aspect") << "a:b.jsonl" << "%1/a:b.jsonl:safe" << "%1/a:b.jsonl"
                                                          << "safe";
    QTest::newRow("existing path that looks like FILE:ASPECT") << "c.jsonl:safe" << "%1/c.jsonl:safe"
                                                               << "%1/c.jsonl:safe" << "";
}

void TestRewardData::dataArgument()
{
    QFETCH(QString, create);
    QFETCH(QString, argument);
    QFETCH(QString, path);
    QFETCH(QString, aspect);

    if (!create.isEmpty())
        writeFile(m_dir, create, "{}\n");
    const std::string dir = m_dir.path().toStdString();
    const RewardDataFile f = parseRewardDataArgument(withPaths({argument}, dir).at(0).toStdString());
    QCOMPARE(QString::fromStdString(f.path), withPaths({path}, dir).at(0));
    QCOMPARE(QString::fromStdString(f.aspect), aspect);
}

QTEST_GUILESS_MAIN(TestRewardData)
#include "tst_reward_data.moc"
