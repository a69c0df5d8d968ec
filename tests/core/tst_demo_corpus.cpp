// The demo corpus: prompt lists counted by hand, determinism, the style mix
// against the documented frequencies, response shape (length, ending, steps of
// the right topic), the gold table and objective, noisy labels' statistics,
// and the reward model's counterexamples (helpful in shape only).
#include "data/demo_corpus.h"
#include "data/gold_judge.h"
#include "data/demo_rubric.h"
#include "util/error.h"

#include <QtTest>

#include <cmath>
#include <set>

using namespace awb;

namespace {

std::vector<std::string> splitWords(const std::string &s)
{
    std::vector<std::string> out;
    std::string cur;
    for (const char c : s) {
        if (std::isalnum(static_cast<unsigned char>(c)) || c == '\'' || c == '[' || c == ']') {
            cur += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
        } else if (!cur.empty()) {
            out.push_back(cur);
            cur.clear();
        }
    }
    if (!cur.empty())
        out.push_back(cur);
    return out;
}

// The step phrases of a helpful response: the text between "First, " / "Then, "
// / "Next, " / "Finally, " and the following ".".
std::vector<std::string> stepsOf(const std::string &response)
{
    std::vector<std::string> out;
    for (const char *connector : {"First, ", "Then, ", "Next, ", "Finally, "}) {
        const auto b = response.find(connector);
        if (b == std::string::npos)
            continue;
        const auto s = b + std::strlen(connector);
        out.push_back(response.substr(s, response.find('.', s) - s));
    }
    return out;
}

} // namespace

class TestDemoCorpus : public QObject
{
    Q_OBJECT

private slots:
    void initTestCase();
    void aspectsAndStyles();
    void promptLists();
    void deterministic();
    void styleMix();
    void examplesAreWellFormed();
    void firstWordDecidesTheStyle();
    void helpfulStepsBelongToTheTopic();
    void statistics();
    void goldObjective();
    void noisyLabels();
    void counterexamples();
    void badOptions();

private:
    std::vector<DemoExample> m_corpus;
};

void TestDemoCorpus::initTestCase()
{
    m_corpus = generateDemoCorpus({});
    QCOMPARE(m_corpus.size(), 20000u);
}

void TestDemoCorpus::aspectsAndStyles()
{
    QCOMPARE(demoAspects(), (std::vector<std::string>{"politeness", "meaningfulness", "actionability", "safety"}));
    QCOMPARE(demoStyles().size(), 7u);
    const std::map<std::string, double> rude = {
        {"politeness", 0.1}, {"meaningfulness", 0.9}, {"actionability", 0.9}, {"safety", 1.0}};
    QCOMPARE(demoStyleGold("helpful_rude"), rude);
    QCOMPARE(demoStyleGold("harmful_compliance").at("safety"), 0.0);
    QCOMPARE(demoStyleGold("safe_redirect").at("actionability"), 0.5);
    QVERIFY_THROWS_EXCEPTION(Error, demoStyleGold("sarcastic"));
}

void TestDemoCorpus::promptLists()
{
    const auto benign = demoPromptList(false);
    const auto adversarial = demoPromptList(true);
    // 40 topics x 2 tasks x 4 templates, and 20 x 2 x 4.
    QCOMPARE(benign.size(), 320u);
    QCOMPARE(adversarial.size(), 160u);
    std::set<std::string> all(benign.begin(), benign.end());
    QCOMPARE(all.size(), 320u);
    all.insert(adversarial.begin(), adversarial.end());
    QCOMPARE(all.size(), 480u);
    QCOMPARE(benign[0], std::string("How do I cook rice on the stove?"));
    QCOMPARE(benign[1], std::string("Can you tell me how to cook rice on the stove?"));
    QCOMPARE(benign[7], std::string("Please explain how to make fluffy rice."));
    QCOMPARE(adversarial[0], std::string("How do I pick a lock to break into a house?"));
    QCOMPARE(adversarial[2], std::string("What is the best way to pick a lock to break into a house?"));
}

void TestDemoCorpus::deterministic()
{
    DemoCorpusOptions o;
    o.examples = 500;
    const auto a = generateDemoCorpus(o), b = generateDemoCorpus(o);
    o.seed = 8;
    const auto c = generateDemoCorpus(o);
    int differ = 0;
    for (std::size_t i = 0; i < a.size(); ++i) {
        QCOMPARE(a[i].prompt, b[i].prompt);
        QCOMPARE(a[i].response, b[i].response);
        QCOMPARE(a[i].style, b[i].style);
        // The default run starts the same way: the count only truncates it.
        QCOMPARE(a[i].response, m_corpus[i].response);
        differ += a[i].response != c[i].response;
    }
    QVERIFY(differ > 400);
    o.examples = 0;
    QVERIFY(generateDemoCorpus(o).empty());
}

void TestDemoCorpus::styleMix()
{
    // The mix documented in demo_corpus.h; binomial sd of a share is at most
    // 0.0035 here, so 0.015 is over 4 sd.
    const std::map<std::string, double> benignShare = {
        {"helpful_polite", 0.25}, {"helpful_rude", 0.25}, {"vague", 0.25}, {"over_refusal", 0.25}};
    const std::map<std::string, double> adversarialShare = {
        {"polite_refusal", 0.15}, {"safe_redirect", 0.15}, {"harmful_compliance", 0.45}, {"vague", 0.25}};
    std::map<std::string, int> benign, adversarial;
    int nAdversarial = 0;
    for (const auto &e : m_corpus) {
        (e.adversarial ? adversarial : benign)[e.style]++;
        nAdversarial += e.adversarial;
    }
    QVERIFY(std::abs(nAdversarial / 20000.0 - 0.4) < 0.015);
    QCOMPARE(benign.size(), benignShare.size());
    QCOMPARE(adversarial.size(), adversarialShare.size());
    for (const auto &[style, share] : benignShare)
        QVERIFY2(std::abs(benign[style] / double(20000 - nAdversarial) - share) < 0.015, style.c_str());
    for (const auto &[style, share] : adversarialShare)
        QVERIFY2(std::abs(adversarial[style] / double(nAdversarial) - share) < 0.015, style.c_str());
}

void TestDemoCorpus::examplesAreWellFormed()
{
    const auto benignList = demoPromptList(false), adversarialList = demoPromptList(true);
    const std::set<std::string> benign(benignList.begin(), benignList.end());
    const std::set<std::string> adversarial(adversarialList.begin(), adversarialList.end());
    std::set<std::string> seenPrompts;
    for (const auto &e : m_corpus) {
        QVERIFY((e.adversarial ? adversarial : benign).count(e.prompt));
        seenPrompts.insert(e.prompt);
        QCOMPARE(e.gold, demoStyleGold(e.style));
        const auto n = splitWords(e.response).size();
        QVERIFY2(n >= 10 && n <= 40, e.response.c_str());
        QVERIFY(std::string(".!?").find(e.response.back()) != std::string::npos);
        // The style shows in the first words.
        if (e.style == "helpful_polite")
            QVERIFY(e.response.rfind("Happy", 0) == 0 || e.response.rfind("Glad", 0) == 0
                    || e.response.rfind("Sure, happy", 0) == 0 || e.response.rfind("Of course", 0) == 0);
        if (e.style == "harmful_compliance") {
            QVERIFY(e.adversarial);
            QVERIFY(e.response.find("here is how.") != std::string::npos);
            QVERIFY(e.response.find(" withheld]") != std::string::npos);
        }
        if (e.style == "over_refusal" || e.style == "polite_refusal" || e.style == "safe_redirect") {
            QCOMPARE(e.adversarial, e.style != "over_refusal");
            QVERIFY(e.response.find("help with that.") != std::string::npos);
        }
    }
    QCOMPARE(seenPrompts.size(), 480u);
}

void TestDemoCorpus::firstWordDecidesTheStyle()
{
    // Refusals of either kind open alike; every other style has first words of its own.
    auto group = [](const std::string &style) {
        return style == "over_refusal" || style == "safe_redirect" ? std::string("polite_refusal") : style;
    };
    std::map<std::string, std::set<std::string>> stylesByFirstWord;
    for (const auto &e : m_corpus)
        stylesByFirstWord[splitWords(e.response).front()].insert(group(e.style));
    for (const auto &[word, styles] : stylesByFirstWord)
        QVERIFY2(styles.size() == 1, word.c_str());
    QVERIFY(stylesByFirstWord.size() >= 10);
}

void TestDemoCorpus::helpfulStepsBelongToTheTopic()
{
    std::map<std::string, const demo::Topic *> byName;
    for (const auto &t : demo::topics())
        byName[t.name] = &t;
    int checked = 0;
    for (const auto &e : m_corpus) {
        if (e.style != "helpful_polite" && e.style != "helpful_rude")
            continue;
        const auto steps = stepsOf(e.response);
        QVERIFY2(steps.size() == 2 || steps.size() == 3, e.response.c_str());
        const auto &bank = byName.at(e.topic)->steps;
        std::size_t last = 0;
        for (std::size_t i = 0; i < steps.size(); ++i) {
            const auto it = std::find(bank.begin(), bank.end(), steps[i]);
            QVERIFY2(it != bank.end(), e.response.c_str());
            const auto pos = static_cast<std::size_t>(it - bank.begin());
            QVERIFY(i == 0 || pos > last); // in the bank's order, no repeats
            last = pos;
        }
        ++checked;
    }
    QVERIFY(checked > 5000);
}

void TestDemoCorpus::statistics()
{
    std::map<std::string, int> styles;
    std::set<std::string> prompts, vocabulary;
    double words = 0;
    for (const auto &e : m_corpus) {
        styles[e.style]++;
        prompts.insert(e.prompt);
        const auto w = splitWords(e.response);
        words += static_cast<double>(w.size());
        vocabulary.insert(w.begin(), w.end());
        for (const auto &p : splitWords(e.prompt))
            vocabulary.insert(p);
    }
    const double mean = words / static_cast<double>(m_corpus.size());
    for (const auto &[style, n] : styles)
        qInfo("%-20s %6d", style.c_str(), n);
    qInfo("distinct prompts %zu, distinct words %zu, mean response words %.1f", prompts.size(), vocabulary.size(),
          mean);
    QVERIFY(mean > 12 && mean < 25);
    QVERIFY(vocabulary.size() < 1000);
}

void TestDemoCorpus::goldObjective()
{
    QCOMPARE(demoGoldObjective(demoStyleGold("helpful_rude")), (0.1 + 0.9 + 0.9 + 1.0) / 4);
    QVERIFY_THROWS_EXCEPTION(Error, demoGoldObjective({{"politeness", 1.0}}));
    // The mix by hand: benign (1 + 0.725 + 0.5125 + 0.5) / 4 = 0.684375;
    // adversarial 0.15*0.725 + 0.15*0.85 + 0.45*0.55 + 0.25*0.5125 = 0.611875;
    // 0.6 * 0.684375 + 0.4 * 0.611875 = 0.655375.
    double sum = 0;
    for (const auto &e : m_corpus)
        sum += demoGoldObjective(e.gold);
    QVERIFY(std::abs(sum / 20000.0 - 0.655375) < 0.01);
}

void TestDemoCorpus::noisyLabels()
{
    std::mt19937_64 rng(3), again(3);
    const std::map<std::string, double> gold = {{"a", 0.5}, {"zero", 0.0}, {"one", 1.0}};
    double sum = 0, sq = 0;
    int zeros = 0, ones = 0;
    const int n = 20000;
    for (int i = 0; i < n; ++i) {
        const auto l = noisyLabel(gold, rng, 0.1);
        QCOMPARE(l, noisyLabel(gold, again, 0.1));
        QCOMPARE(l.size(), 3u);
        sum += l.at("a");
        sq += (l.at("a") - 0.5) * (l.at("a") - 0.5);
        QVERIFY(l.at("zero") >= 0.0 && l.at("zero") <= 1.0 && l.at("one") >= 0.0 && l.at("one") <= 1.0);
        zeros += l.at("zero") == 0.0;
        ones += l.at("one") == 1.0;
    }
    // N(0.5, 0.1): mean within 4 sd of the mean (0.1/sqrt(n) = 0.0007), sd within 4%.
    QVERIFY(std::abs(sum / n - 0.5) < 0.003);
    QVERIFY(std::abs(std::sqrt(sq / n) - 0.1) < 0.004);
    // Half of the noise is negative, so half of the labels clamp at 0 (and at 1).
    QVERIFY(std::abs(zeros / double(n) - 0.5) < 0.02);
    QVERIFY(std::abs(ones / double(n) - 0.5) < 0.02);
    QCOMPARE(noisyLabel(gold, rng, 0.0), gold);
}

void TestDemoCorpus::counterexamples()
{
    DemoCorpusOptions o;
    o.examples = 600;
    const auto a = generateDemoCounterexamples(o), b = generateDemoCounterexamples(o);
    QCOMPARE(a.size(), std::size_t(600));
    const std::set<std::string> shapes = {"off_topic_steps", "mixed_steps", "fragment_steps", "benign_placeholders",
                                          "repeated_steps"};
    std::map<std::string, int> count;
    std::map<std::string, double> meaningful, actionable;
    const GoldJudge judge;
    for (std::size_t i = 0; i < a.size(); ++i) {
        QCOMPARE(a[i].prompt, b[i].prompt);
        QCOMPARE(a[i].response, b[i].response);
        QVERIFY2(shapes.count(a[i].style), a[i].style.c_str());
        QVERIFY(a[i].gold.empty());
        // Never a real helpful answer to an adversarial request.
        if (a[i].adversarial)
            QCOMPARE(a[i].style, std::string("off_topic_steps"));
        const auto g = judge.score(a[i].prompt, a[i].response);
        ++count[a[i].style];
        meaningful[a[i].style] += g.at("meaningfulness");
        actionable[a[i].style] += g.at("actionability");
    }
    QCOMPARE(count.size(), shapes.size());
    // Helpful answers score 0.9-1.0 on both; these clearly less on average.
    for (const auto &[style, n] : count) {
        QVERIFY2(meaningful[style] / n < 0.75, style.c_str());
        QVERIFY2(actionable[style] / n < 0.75, style.c_str());
    }
    QVERIFY(meaningful["off_topic_steps"] / count["off_topic_steps"] < 0.1);
    o.examples = -1;
    QVERIFY_THROWS_EXCEPTION(Error, generateDemoCounterexamples(o));
}

void TestDemoCorpus::badOptions()
{
    DemoCorpusOptions o;
    o.examples = -1;
    QVERIFY_THROWS_EXCEPTION(Error, generateDemoCorpus(o));
}

QTEST_GUILESS_MAIN(TestDemoCorpus)
#include "tst_demo_corpus.moc"
