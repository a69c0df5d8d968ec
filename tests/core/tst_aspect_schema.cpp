// AspectSchema: the defaults, every mutation's validation (errors name the
// aspect, a failed change leaves the schema as it was), and the JSON form
// (round trip, errors naming the field).
#include "reward/aspect_schema.h"
#include "util/error.h"

#include <QtTest>

#include <cmath>
#include <functional>
#include <limits>

using namespace awb;
using nlohmann::json;

Q_DECLARE_METATYPE(std::function<void(AspectSchema &)>)

namespace {

std::string errorOf(const std::function<void()> &f)
{
    try {
        f();
    } catch (const Error &e) {
        return e.what();
    }
    return "(no exception)";
}

using Names = std::vector<std::string>;

} // namespace

class TestAspectSchema : public QObject
{
    Q_OBJECT

private slots:
    void defaults();
    void mutations();
    void invalidChanges_data();
    void invalidChanges();
    void indexOfUnknownName();
    void jsonRoundTrip();
    void jsonDefaultsForOptionalFields();
    void badJson_data();
    void badJson();
};

void TestAspectSchema::defaults()
{
    const AspectSchema s = AspectSchema::defaults();
    QCOMPARE(s.size(), 4u);
    QCOMPARE(s.names(), (Names{"politeness", "meaningfulness", "actionability", "safety"}));
    for (const Aspect &a : s.aspects()) {
        QCOMPARE(a.min, 0.0);
        QCOMPARE(a.max, 1.0);
        QVERIFY(!a.description.empty());
        QVERIFY(a.description.find('\n') == std::string::npos);
    }
    QCOMPARE(s.index("actionability"), 2u);
}

void TestAspectSchema::mutations()
{
    AspectSchema s = AspectSchema::defaults();
    s.add({"honesty", -1, 1, "Says what it believes."});
    QCOMPARE(s.size(), 5u);
    QCOMPARE(s.index("honesty"), 4u);
    QCOMPARE(s.at(4).min, -1.0);

    s.rename("politeness", "courtesy");
    QCOMPARE(s.names(), (Names{"courtesy", "meaningfulness", "actionability", "safety", "honesty"}));
    QVERIFY(!s.find("politeness"));
    // Renaming to a different case of the same name is a rename of that aspect, not a clash.
    s.rename("courtesy", "Courtesy");
    QCOMPARE(s.at(0).name, std::string("Courtesy"));

    s.remove("meaningfulness");
    QCOMPARE(s.names(), (Names{"Courtesy", "actionability", "safety", "honesty"}));
    QCOMPARE(s.index("safety"), 2u);

    s.setRange("safety", 1, 5);
    QCOMPARE(s.at(2).min, 1.0);
    QCOMPARE(s.at(2).max, 5.0);
    s.setDescription("safety", "new");
    QCOMPARE(s.at(2).description, std::string("new"));
}

void TestAspectSchema::invalidChanges_data()
{
    QTest::addColumn<std::function<void(AspectSchema &)>>("change");
    QTest::addColumn<QString>("message");
    using F = std::function<void(AspectSchema &)>;
    QTest::newRow("empty name") << F([](AspectSchema &s) { s.add({"", 0, 1, ""}); }) << "name must not be empty";
    QTest::newRow("padded name") << F([](AspectSchema &s) { s.add({" tone", 0, 1, ""}); })
                                 << "aspect \" tone\": name must not start or end with white space";
    QTest::newRow("duplicate") << F([](AspectSchema &s) { s.add({"safety", 0, 1, ""}); })
                               << "aspect \"safety\": the schema already has an aspect named \"safety\"";
    QTest::newRow("duplicate ignoring case") << F([](AspectSchema &s) { s.add({"Safety", 0, 1, ""}); })
                                             << "aspect \"Safety\": the schema already has an aspect named \"safety\"";
    QTest::newRow("min equals max") << F([](AspectSchema &s) { s.add({"tone", 1, 1, ""}); })
                                    << "aspect \"tone\": range [1.0, 1.0] is invalid";
    QTest::newRow("min above max") << F([](AspectSchema &s) { s.add({"tone", 2, 0.5, ""}); })
                                   << "aspect \"tone\": range [2.0, 0.5] is invalid";
    QTest::newRow("nan") << F([](AspectSchema &s) { s.add({"tone", std::nan(""), 1, ""}); })
                         << "aspect \"tone\": range";
    QTest::newRow("rename onto another") << F([](AspectSchema &s) { s.rename("politeness", "SAFETY"); })
                                         << "aspect \"SAFETY\": the schema already has an aspect named \"safety\"";
    QTest::newRow("rename to empty") << F([](AspectSchema &s) { s.rename("politeness", ""); })
                                     << "name must not be empty";
    QTest::newRow("rename unknown") << F([](AspectSchema &s) { s.rename("tone", "x"); })
                                    << "cannot rename aspect \"tone\": no aspect has that name";
    QTest::newRow("remove unknown") << F([](AspectSchema &s) { s.remove("tone"); })
                                    << "cannot remove aspect \"tone\"";
    QTest::newRow("bad range") << F([](AspectSchema &s) { s.setRange("safety", 3, -3); })
                               << "aspect \"safety\": range [3.0, -3.0] is invalid";
}

void TestAspectSchema::invalidChanges()
{
    QFETCH(std::function<void(AspectSchema &)>, change);
    QFETCH(QString, message);
    AspectSchema s = AspectSchema::defaults();
    const std::string error = errorOf([&] { change(s); });
    QVERIFY2(error.find(message.toStdString()) != std::string::npos, error.c_str());
    QVERIFY(s == AspectSchema::defaults());
}

void TestAspectSchema::indexOfUnknownName()
{
    const AspectSchema s({{"a", 0, 1, ""}, {"b", 0, 1, ""}});
    QCOMPARE(errorOf([&] { s.index("c"); }), std::string("no aspect named \"c\" (the schema has: a, b)"));
    QCOMPARE(errorOf([&] { AspectSchema().index("c"); }), std::string("no aspect named \"c\" (the schema has: none)"));
    QVERIFY(errorOf([&] { s.at(2); }).find("aspect index 2 is out of range") == 0);
    // Lookups are exact even though uniqueness ignores case.
    QVERIFY(!s.find("A"));
}

void TestAspectSchema::jsonRoundTrip()
{
    AspectSchema s = AspectSchema::defaults();
    s.add({"tone \xC3\xA9", -2.5, 7.25, "quotes \" and\nnewlines"});
    const json j = s.toJson();
    QCOMPARE(j["format_version"].get<int>(), 1);
    QCOMPARE(j["aspects"][4]["name"].get<std::string>(), std::string("tone \xC3\xA9"));
    QCOMPARE(j["aspects"][4]["min"].get<double>(), -2.5);
    QCOMPARE(j["aspects"][4]["max"].get<double>(), 7.25);
    const AspectSchema back = AspectSchema::fromJson(json::parse(j.dump()), "aspects.json");
    QVERIFY(back == s);
    QCOMPARE(back.at(4).description, std::string("quotes \" and\nnewlines"));
}

void TestAspectSchema::jsonDefaultsForOptionalFields()
{
    const AspectSchema s = AspectSchema::fromJson(json::parse(R"({"aspects": [{"name": "x"}, {"name": "y", "max": 10, "min": null}]})"),
                                                  "f.json");
    QCOMPARE(s.size(), 2u);
    QCOMPARE(s.at(0), (Aspect{"x", 0, 1, ""}));
    QCOMPARE(s.at(1), (Aspect{"y", 0, 10, ""}));
    QCOMPARE(AspectSchema::fromJson(json::parse(R"({"aspects": []})"), "f.json").size(), 0u);
}

void TestAspectSchema::badJson_data()
{
    QTest::addColumn<QString>("text");
    QTest::addColumn<QString>("message");
    QTest::newRow("not an object") << "[]" << "aspects.json: expected a JSON object";
    QTest::newRow("no list") << "{}" << "aspects.json: aspects must be a list";
    QTest::newRow("list of strings") << R"({"aspects": ["x"]})" << "aspects.json: aspects[0] must be an object";
    QTest::newRow("no name") << R"({"aspects": [{"min": 0}]})" << "aspects.json: aspects[0].name must be a string";
    QTest::newRow("max text") << R"({"aspects": [{"name": "a"}, {"name": "b", "max": "1"}]})"
                              << "aspects.json: aspects[1].max must be a number";
    QTest::newRow("description number") << R"({"aspects": [{"name": "a", "description": 3}]})"
                                        << "aspects.json: aspects[0].description must be a string";
    QTest::newRow("duplicate") << R"({"aspects": [{"name": "a"}, {"name": "A"}]})"
                               << "aspects.json: aspects[1]: aspect \"A\": the schema already has an aspect named \"a\"";
    QTest::newRow("range") << R"({"aspects": [{"name": "a", "min": 1, "max": 0}]})"
                           << "aspects.json: aspects[0]: aspect \"a\": range [1.0, 0.0] is invalid";
    QTest::newRow("future version") << R"({"format_version": 9, "aspects": []})"
                                    << "aspects.json: format_version 9 is newer";
}

void TestAspectSchema::badJson()
{
    QFETCH(QString, text);
    QFETCH(QString, message);
    std::string error;
    try {
        AspectSchema::fromJson(json::parse(text.toStdString()), "aspects.json");
        error = "(no exception)";
    } catch (const FormatError &e) {
        error = e.what();
    }
    QVERIFY2(error.find(message.toStdString()) == 0, error.c_str());
}

QTEST_GUILESS_MAIN(TestAspectSchema)
#include "tst_aspect_schema.moc"
