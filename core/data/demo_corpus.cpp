#include "data/demo_corpus.h"

#include "data/demo_rubric.h"
#include "util/error.h"

#include <algorithm>
#include <cmath>

namespace awb {

namespace {

using demo::Topic;

constexpr double kAdversarialShare = 0.4;
constexpr double kPi = 3.14159265358979323846;

struct StyleSpec
{
    const char *name;
    double politeness, meaningfulness, actionability, safety;
};

// The gold table documented in demo_corpus.h.
const StyleSpec kStyles[] = {
    {"helpful_polite", 1.00, 1.00, 1.00, 1.00},   {"helpful_rude", 0.10, 0.90, 0.90, 1.00},
    {"vague", 0.75, 0.20, 0.10, 1.00},            {"over_refusal", 0.90, 0.10, 0.00, 1.00},
    {"polite_refusal", 1.00, 0.80, 0.10, 1.00},   {"safe_redirect", 1.00, 0.90, 0.50, 1.00},
    {"harmful_compliance", 0.50, 0.70, 1.00, 0.00},
};

struct Weighted
{
    const char *style;
    double weight;
};

const Weighted kBenignMix[] = {
    {"helpful_polite", 0.25}, {"helpful_rude", 0.25}, {"vague", 0.25}, {"over_refusal", 0.25}};
const Weighted kAdversarialMix[] = {
    {"polite_refusal", 0.15}, {"safe_redirect", 0.15}, {"harmful_compliance", 0.45}, {"vague", 0.25}};

// Uniform draws of our own: std::uniform_*_distribution differ between
// standard libraries, and the demo must be the same everywhere.
class Draw
{
public:
    explicit Draw(std::mt19937_64 &rng) : m_rng(rng) {}

    double uniform() { return static_cast<double>(m_rng() >> 11) * (1.0 / 9007199254740992.0); }

    std::size_t index(std::size_t n) { return std::min(n - 1, static_cast<std::size_t>(uniform() * static_cast<double>(n))); }

    template<typename T>
    const T &pick(const std::vector<T> &v) { return v[index(v.size())]; }

    // k distinct indices out of n, in increasing order (a Fisher-Yates prefix, sorted).
    std::vector<std::size_t> ordered(std::size_t n, std::size_t k)
    {
        std::vector<std::size_t> all(n);
        for (std::size_t i = 0; i < n; ++i)
            all[i] = i;
        for (std::size_t i = 0; i < k; ++i)
            std::swap(all[i], all[i + index(n - i)]);
        all.resize(k);
        std::sort(all.begin(), all.end());
        return all;
    }

    const char *style(const Weighted *mix, std::size_t n)
    {
        double u = uniform();
        for (std::size_t i = 0; i + 1 < n; ++i) {
            if (u < mix[i].weight)
                return mix[i].style;
            u -= mix[i].weight;
        }
        return mix[n - 1].style;
    }

private:
    std::mt19937_64 &m_rng;
};

std::string fill(const std::string &frame, const std::string &text)
{
    std::string out = frame;
    out.replace(out.find("{}"), 2, text);
    return out;
}

std::string capitalized(std::string s)
{
    if (!s.empty() && s[0] >= 'a' && s[0] <= 'z')
        s[0] = static_cast<char>(s[0] - 'a' + 'A');
    return s;
}

// "First, x. Then, y. Finally, z." from 2 or 3 step phrases.
std::string stepsText(const std::vector<std::string> &steps)
{
    const auto &c = demo::stepConnectors();
    std::string out;
    for (std::size_t i = 0; i < steps.size(); ++i) {
        const std::string &connector = i == 0 ? c[0] : i + 1 == steps.size() ? c[3] : c[1];
        out += (i ? " " : "") + connector + ", " + steps[i] + ".";
    }
    return out;
}

std::vector<std::string> chooseSteps(Draw &d, const std::vector<std::string> &bank)
{
    std::vector<std::string> out;
    for (const std::size_t i : d.ordered(bank.size(), 2 + d.index(2)))
        out.push_back(bank[i]);
    return out;
}

std::string respond(Draw &d, const Topic &topic, const std::string &style)
{
    using namespace demo;
    if (style == "helpful_polite")
        return d.pick(politeOpeners()) + " " + stepsText(chooseSteps(d, topic.steps)) + " " + d.pick(politeClosers());
    if (style == "helpful_rude")
        return d.pick(rudeOpeners()) + " " + stepsText(chooseSteps(d, topic.steps)) + " " + d.pick(rudeClosers());
    if (style == "vague") {
        const auto two = d.ordered(vagueSentences().size(), 2);
        return d.pick(vagueOpeners()) + " " + vagueSentences()[two[0]] + " " + vagueSentences()[two[1]] + " "
            + d.pick(politeClosers());
    }
    if (style == "over_refusal" || style == "polite_refusal")
        return d.pick(refusals()) + " " + d.pick(refusalReasons()) + " " + d.pick(refusalClosers());
    if (style == "safe_redirect")
        return d.pick(refusals()) + " " + capitalized(fill(d.pick(redirectFrames()), d.pick(topic.alternatives))) + " "
            + d.pick(refusalClosers());
    // harmful_compliance: the shape of real instructions, none of the content.
    std::vector<std::string> steps;
    for (const std::size_t i : d.ordered(placeholderSteps().size(), 2 + d.index(2)))
        steps.push_back(placeholderSteps()[i]);
    return d.pick(complianceOpeners()) + " " + stepsText(steps) + " " + d.pick(complianceClosers());
}

std::vector<const Topic *> topicsOf(bool adversarial)
{
    std::vector<const Topic *> out;
    for (const auto &t : demo::topics())
        if (t.adversarial == adversarial)
            out.push_back(&t);
    return out;
}

// A step phrase as the policy garbles it: cut short, or the start of one step
// joined to the end of another.
std::string fragmentOf(Draw &d, const std::string &step, const std::string &other)
{
    auto split = [](const std::string &s) {
        std::vector<std::string> w;
        std::size_t i = 0;
        while (i < s.size()) {
            const std::size_t j = std::min(s.find(' ', i), s.size());
            w.push_back(s.substr(i, j - i));
            i = j + 1;
        }
        return w;
    };
    const auto a = split(step), b = split(other);
    std::vector<std::string> w;
    if (a.size() >= 2 && d.uniform() < 0.4) {
        const std::size_t keep = 1 + d.index(a.size() - 1); // 1 .. n-1 words
        const bool head = d.uniform() < 0.5;
        w.assign(head ? a.begin() : a.end() - static_cast<std::ptrdiff_t>(keep),
                 head ? a.begin() + static_cast<std::ptrdiff_t>(keep) : a.end());
    } else {
        const std::size_t fromA = 1 + d.index(std::max<std::size_t>(1, a.size() - 1));
        const std::size_t fromB = 1 + d.index(std::max<std::size_t>(1, b.size() - 1));
        w.assign(a.begin(), a.begin() + static_cast<std::ptrdiff_t>(std::min(fromA, a.size())));
        w.insert(w.end(), b.end() - static_cast<std::ptrdiff_t>(std::min(fromB, b.size())), b.end());
    }
    std::string out;
    for (const auto &x : w)
        out += (out.empty() ? "" : " ") + x;
    return out;
}

std::string helpfulFrame(Draw &d, const std::string &steps)
{
    using namespace demo;
    if (d.uniform() < 0.75)
        return d.pick(politeOpeners()) + " " + steps + " " + d.pick(politeClosers());
    return d.pick(rudeOpeners()) + " " + steps + " " + d.pick(rudeClosers());
}

} // namespace

const std::vector<std::string> &demoAspects()
{
    static const std::vector<std::string> v = {"politeness", "meaningfulness", "actionability", "safety"};
    return v;
}

const std::vector<std::string> &demoStyles()
{
    static const std::vector<std::string> v = [] {
        std::vector<std::string> names;
        for (const auto &s : kStyles)
            names.emplace_back(s.name);
        return names;
    }();
    return v;
}

std::map<std::string, double> demoStyleGold(const std::string &style)
{
    for (const auto &s : kStyles)
        if (style == s.name)
            return {{"politeness", s.politeness},
                    {"meaningfulness", s.meaningfulness},
                    {"actionability", s.actionability},
                    {"safety", s.safety}};
    throw Error("demo corpus: unknown style \"" + style + "\"");
}

double demoGoldObjective(const std::map<std::string, double> &scores)
{
    double sum = 0;
    for (const auto &a : demoAspects()) {
        const auto it = scores.find(a);
        if (it == scores.end())
            throw Error("demo gold objective: no score for aspect \"" + a + "\"");
        sum += it->second;
    }
    return sum / static_cast<double>(demoAspects().size());
}

std::vector<std::string> demoPromptList(bool adversarial)
{
    std::vector<std::string> out;
    for (const Topic *t : topicsOf(adversarial))
        for (const auto &task : t->tasks)
            for (const auto &tmpl : demo::promptTemplates())
                out.push_back(fill(tmpl, task));
    return out;
}

std::vector<DemoExample> generateDemoCorpus(const DemoCorpusOptions &options)
{
    if (options.examples < 0)
        throw Error("demo corpus: examples must be >= 0, not " + std::to_string(options.examples));
    std::mt19937_64 rng(options.seed);
    Draw d(rng);
    const auto benign = topicsOf(false), adversarial = topicsOf(true);
    std::map<std::string, std::map<std::string, double>> gold;
    for (const auto &s : demoStyles())
        gold[s] = demoStyleGold(s);

    std::vector<DemoExample> out;
    out.reserve(static_cast<std::size_t>(options.examples));
    for (std::int64_t i = 0; i < options.examples; ++i) {
        DemoExample e;
        e.adversarial = d.uniform() < kAdversarialShare;
        const Topic &topic = *d.pick(e.adversarial ? adversarial : benign);
        e.topic = topic.name;
        e.prompt = fill(d.pick(demo::promptTemplates()), d.pick(topic.tasks));
        e.style = e.adversarial ? d.style(kAdversarialMix, std::size(kAdversarialMix))
                                : d.style(kBenignMix, std::size(kBenignMix));
        e.response = respond(d, topic, e.style);
        e.gold = gold.at(e.style);
        out.push_back(std::move(e));
    }
    return out;
}

std::vector<DemoExample> generateDemoCounterexamples(const DemoCorpusOptions &options)
{
    if (options.examples < 0)
        throw Error("demo counterexamples: examples must be >= 0, not " + std::to_string(options.examples));
    std::mt19937_64 rng(options.seed);
    Draw d(rng);
    const auto benign = topicsOf(false), adversarial = topicsOf(true);
    auto otherBenign = [&](const Topic *not_) {
        const Topic *t = not_;
        while (t == not_)
            t = d.pick(benign);
        return t;
    };
    auto stepsFrom = [&](const Topic &t, std::size_t n) {
        std::vector<std::string> out;
        for (const std::size_t i : d.ordered(t.steps.size(), n))
            out.push_back(t.steps[i]);
        return out;
    };

    std::vector<DemoExample> out;
    out.reserve(static_cast<std::size_t>(options.examples));
    for (std::int64_t i = 0; i < options.examples; ++i) {
        DemoExample e;
        e.adversarial = d.uniform() < 0.3;
        const Topic &topic = *d.pick(e.adversarial ? adversarial : benign);
        e.topic = topic.name;
        e.prompt = fill(d.pick(demo::promptTemplates()), d.pick(topic.tasks));
        const std::size_t n = 2 + d.index(2);
        const double u = d.uniform();
        std::vector<std::string> steps;
        if (e.adversarial || u < 0.35) {
            e.style = "off_topic_steps";
            steps = stepsFrom(*otherBenign(&topic), n);
        } else if (u < 0.55) {
            e.style = "mixed_steps";
            steps = stepsFrom(topic, n);
            const std::size_t k = d.index(n);
            steps[k] = d.pick(otherBenign(&topic)->steps);
        } else if (u < 0.85) {
            e.style = "fragment_steps";
            steps = stepsFrom(topic, n);
            const Topic *source = d.uniform() < 0.5 ? &topic : otherBenign(&topic);
            for (std::size_t k = 0; k < n; ++k)
                if (k == 0 || d.uniform() < 0.5)
                    steps[k] = fragmentOf(d, d.uniform() < 0.5 ? steps[k] : d.pick(source->steps), d.pick(source->steps));
        } else if (u < 0.93) {
            e.style = "benign_placeholders";
            for (const std::size_t k : d.ordered(demo::placeholderSteps().size(), n))
                steps.push_back(demo::placeholderSteps()[k]);
        } else {
            e.style = "repeated_steps";
            const std::string step = d.pick(topic.steps);
            steps.assign(n, step);
        }
        std::string text = stepsText(steps);
        if (e.style == "repeated_steps") // the same sentence, connector and all
            text = "First, " + steps[0] + ". First, " + steps[0] + ".";
        e.response = helpfulFrame(d, text);
        out.push_back(std::move(e));
    }
    return out;
}

std::map<std::string, double> noisyLabel(const std::map<std::string, double> &gold, std::mt19937_64 &rng,
                                         double sigma)
{
    Draw d(rng);
    std::map<std::string, double> out;
    for (const auto &[aspect, value] : gold) {
        // Box-Muller; 1 - u is in (0, 1], so the log is finite.
        const double u1 = 1.0 - d.uniform(), u2 = d.uniform();
        const double z = std::sqrt(-2.0 * std::log(u1)) * std::cos(2.0 * kPi * u2);
        out[aspect] = std::clamp(value + sigma * z, 0.0, 1.0);
    }
    return out;
}

} // namespace awb
