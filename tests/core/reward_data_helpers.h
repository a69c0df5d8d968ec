#pragma once
// Helpers of tst_reward_data: files with hand-known contents (plain or gzip)
// and the datasets' contents as comparable text.
#include "reward/reward_data.h"
#include "util/error.h"

#include <QTemporaryDir>
#include <QtTest>
#include <zlib.h>

#include <fstream>

namespace rewarddatatest {

using namespace awb;

inline std::string writeFile(const QTemporaryDir &dir, const QString &name, const QByteArray &content)
{
    const std::string path = dir.filePath(name).toStdString();
    if (name.endsWith(".gz")) {
        gzFile f = gzopen(path.c_str(), "wb");
        gzwrite(f, content.constData(), static_cast<unsigned>(content.size()));
        gzclose(f);
    } else {
        std::ofstream(path, std::ios::binary) << content.toStdString();
    }
    return path;
}

template<typename E, typename F>
inline QString messageOf(F f)
{
    try {
        f();
    } catch (const E &e) {
        return QString::fromStdString(e.what());
    } catch (const std::exception &e) {
        return "wrong exception type: " + QString::fromStdString(e.what());
    }
    return "no exception";
}

inline QString num(double v)
{
    return QString::number(v);
}

// "a[0,1] b[1,5]"
inline QString schemaText(const AspectSchema &schema)
{
    QStringList out;
    for (const Aspect &a : schema.aspects())
        out << QString::fromStdString(a.name) + "[" + num(a.min) + "," + num(a.max) + "]";
    return out.join(' ');
}

// "prompt|response|0.5,-,1" per example; "-" is an unlabelled target.
inline QStringList exampleTexts(const RewardDataset &d)
{
    QStringList out;
    for (const RewardExample &e : d.examples) {
        QStringList targets;
        for (const auto &t : e.targets)
            targets << (t ? num(*t) : QString("-"));
        out << QString::fromStdString(e.prompt + "|" + e.response + "|") + targets.join(',');
    }
    return out;
}

// "aspectIndex:prompt|chosen|rejected" per pair.
inline QStringList pairTexts(const RewardDataset &d)
{
    QStringList out;
    for (const RewardPreference &p : d.pairs)
        out << QString::number(p.aspect) + ":" + QString::fromStdString(p.prompt + "|" + p.chosen + "|" + p.rejected);
    return out;
}

inline QStringList toQt(const std::vector<std::string> &v)
{
    QStringList out;
    for (const auto &s : v)
        out << QString::fromStdString(s);
    return out;
}

inline QStringList withPaths(QStringList list, const std::string &first, const std::string &second = {})
{
    for (QString &s : list)
        s.replace("%1", QString::fromStdString(first)).replace("%2", QString::fromStdString(second));
    return list;
}

// The warnings the header promises, spelt out here rather than taken from the code.
inline QString assumed(const QString &name, const QString &range, const QString &file = "%1")
{
    return "aspect \"" + name + "\": no range given; assumed " + range + " from the data of " + file
           + " (set it with --aspects " + name + ":MIN:MAX)";
}

inline QString pairsOnly(const QString &name)
{
    return "aspect \"" + name + "\": learnt from preference pairs only and given no range; assumed [0, 1] "
           "(set it with --aspects " + name + ":MIN:MAX)";
}

// "a:0:10,b:0:5" built by hand, so the workspace schema does not go through parseAspectList.
AspectSchema schemaOf(const QString &text)
{
    std::vector<Aspect> aspects;
    for (const QString &entry : text.split(',', Qt::SkipEmptyParts)) {
        const QStringList p = entry.split(':');
        aspects.push_back({p[0].toStdString(), p[1].toDouble(), p[2].toDouble(), ""});
    }
    return AspectSchema(aspects);
}

inline std::vector<AspectRequest> requestsOf(const QString &text)
{
    return text.isEmpty() ? std::vector<AspectRequest>{} : parseAspectList(text.toStdString());
}

const QByteArray kScores = R"({"prompt":"p1","response":"r1","safe":0.5,"helpful":3,"source":"web"})"
                           "\n\n"
                           R"({"prompt":"p2","response":"r2","safe":null,"helpful":5,"source":"web"})"
                           "\n"
                           R"({"prompt":"p3","response":"r3","helpful":1})"
                           "\n";

// Two turns, so the prompt must run to the last assistant turn, not the first.
const QByteArray kHh =
    R"({"chosen": "\n\nHuman: Hi\n\nAssistant: Hello!\n\nHuman: Name a fruit.\n\nAssistant:  An apple. ", )"
    R"("rejected": "\n\nHuman: Hi\n\nAssistant: Hello!\n\nHuman: Name a fruit.\n\nAssistant: A brick."})"
    "\n"
    R"({"chosen": "\n\nHuman: a\n\nAssistant: b\n\nHuman: c\n\nAssistant: d", )"
    R"("rejected": "\n\nHuman: a\n\nAssistant: x\n\nHuman: c\n\nAssistant: e"})"
    "\n";

} // namespace rewarddatatest
