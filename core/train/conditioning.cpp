#include "train/conditioning.h"

#include "train/seeds.h"
#include "util/error.h"
#include "util/text_util.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <numeric>
#include <random>

namespace awb {

namespace {

std::vector<std::string> split(const std::string &text, char sep)
{
    std::vector<std::string> out;
    std::size_t from = 0;
    for (;;) {
        const auto at = text.find(sep, from);
        out.push_back(trimmed(text.substr(from, at == std::string::npos ? std::string::npos : at - from)));
        if (at == std::string::npos)
            return out;
        from = at + 1;
    }
}

// Uniform in (0, 1): 53 random bits, never 0.
double uniformOpen(std::mt19937_64 &rng)
{
    return (static_cast<double>(rng() >> 11) + 0.5) * (1.0 / 9007199254740992.0);
}

// Standard normal by Box-Muller (one of the pair; the draw count stays fixed per call).
double standardNormal(std::mt19937_64 &rng)
{
    const double u1 = uniformOpen(rng), u2 = uniformOpen(rng);
    return std::sqrt(-2.0 * std::log(u1)) * std::cos(6.283185307179586 * u2);
}

// Gamma(alpha, 1) by Marsaglia and Tsang (2000); alpha < 1 through
// Gamma(alpha + 1) * U^(1/alpha).
double gammaVariate(double alpha, std::mt19937_64 &rng)
{
    if (alpha < 1.0)
        return gammaVariate(alpha + 1.0, rng) * std::pow(uniformOpen(rng), 1.0 / alpha);
    const double d = alpha - 1.0 / 3.0, c = 1.0 / std::sqrt(9.0 * d);
    for (;;) {
        double x, v;
        do {
            x = standardNormal(rng);
            v = 1.0 + c * x;
        } while (v <= 0.0);
        v = v * v * v;
        const double u = uniformOpen(rng);
        if (u < 1.0 - 0.0331 * x * x * x * x || std::log(u) < 0.5 * x * x + d * (1.0 - v + std::log(v)))
            return d * v;
    }
}

double parseWeight(const std::string &text, const std::string &label)
{
    char *end = nullptr;
    const double v = std::strtod(text.c_str(), &end);
    if (text.empty() || *end != '\0' || !std::isfinite(v) || v < 0.0)
        throw Error(label + ": \"" + text + "\" is not a non-negative number");
    return v;
}

} // namespace

Conditioning parseConditioning(const std::string &name)
{
    if (name == "none")
        return Conditioning::None;
    if (name == "prompt")
        return Conditioning::Prompt;
    if (name == "lora")
        return Conditioning::Lora;
    throw Error("conditioning: unknown value \"" + name + "\" (expected none, prompt or lora)");
}

const char *conditioningName(Conditioning conditioning)
{
    switch (conditioning) {
    case Conditioning::Prompt:
        return "prompt";
    case Conditioning::Lora:
        return "lora";
    case Conditioning::None:
        break;
    }
    return "none";
}

std::vector<double> quantizeWeights(const std::vector<double> &weights)
{
    double sum = 0.0;
    for (const double w : weights) {
        if (!std::isfinite(w) || w < 0.0)
            throw Error("preference weights must be finite and non-negative");
        sum += w;
    }
    if (!(sum > 0.0))
        throw Error("preference weights must not all be zero");
    // Hundredths by largest remainder: floor each share, then hand the missing
    // hundredths to the largest remainders (the earlier aspect on a tie).
    const std::size_t K = weights.size();
    std::vector<long> units(K);
    std::vector<double> rest(K);
    long given = 0;
    for (std::size_t k = 0; k < K; ++k) {
        const double share = 100.0 * weights[k] / sum;
        units[k] = static_cast<long>(std::floor(share + 1e-9));
        rest[k] = share - static_cast<double>(units[k]);
        given += units[k];
    }
    std::vector<std::size_t> order(K);
    std::iota(order.begin(), order.end(), 0);
    std::stable_sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) { return rest[a] > rest[b]; });
    for (std::size_t i = 0; given < 100 && i < K; ++i, ++given)
        ++units[order[i]];
    std::vector<double> out(K);
    for (std::size_t k = 0; k < K; ++k)
        out[k] = static_cast<double>(units[k]) / 100.0;
    return out;
}

std::string conditioningLine(const std::vector<std::string> &aspects, const std::vector<double> &weights)
{
    if (aspects.size() != weights.size())
        throw Error("conditioning line: " + std::to_string(weights.size()) + " weights for "
                    + std::to_string(aspects.size()) + " aspects");
    const std::vector<double> q = quantizeWeights(weights);
    std::string line = kConditioningPrefix;
    for (std::size_t k = 0; k < aspects.size(); ++k) {
        char number[16];
        std::snprintf(number, sizeof number, "%.2f", q[k]);
        line += (k ? ", " : "") + aspects[k] + "=" + number;
    }
    return line;
}

std::vector<double> dirichletWeights(std::size_t K, double alpha, std::uint64_t seed, std::int64_t step,
                                     std::int64_t group)
{
    if (!(alpha > 0.0) || !std::isfinite(alpha))
        throw Error("conditioning_alpha must be positive, got " + std::to_string(alpha));
    std::mt19937_64 rng(mixSeed(mixSeed(seed, static_cast<std::uint64_t>(step), 61), static_cast<std::uint64_t>(group), 62));
    std::vector<double> g(K);
    for (;;) {
        double sum = 0.0;
        for (auto &v : g)
            sum += (v = gammaVariate(alpha, rng));
        if (sum > 0.0)   // a tiny alpha can underflow every variate; draw again
            return quantizeWeights(g);
    }
}

std::vector<std::vector<double>> parseConditioningVectors(const std::string &text,
                                                          const std::vector<std::string> &aspects)
{
    const std::string label = "conditioning_vectors";
    const std::size_t K = aspects.size();
    std::vector<std::vector<double>> out;
    for (const std::string &item : split(text, ';')) {
        if (item.empty())
            continue;
        if (item == "corners") {
            for (std::size_t k = 0; k < K; ++k) {
                std::vector<double> v(K, 0.0);
                v[k] = 1.0;
                out.push_back(v);
            }
        } else if (item == "uniform") {
            out.push_back(quantizeWeights(std::vector<double>(K, 1.0)));
        } else {
            const auto v = parseWeightList(item, aspects, label);
            out.push_back(quantizeWeights(v));
        }
    }
    return out;
}

std::vector<double> parseWeightList(const std::string &text, const std::vector<std::string> &aspects,
                                    const std::string &label)
{
    std::vector<double> v(aspects.size(), 0.0);
    bool any = false;
    for (const std::string &pair : split(text, ',')) {
        if (pair.empty())
            continue;
        const auto eq = pair.find('=');
        if (eq == std::string::npos)
            throw Error(label + ": \"" + pair + "\" is not ASPECT=WEIGHT");
        const std::string name = trimmed(pair.substr(0, eq));
        const auto it = std::find(aspects.begin(), aspects.end(), name);
        if (it == aspects.end()) {
            std::string known;
            for (const auto &a : aspects)
                known += (known.empty() ? "" : ", ") + a;
            throw Error(label + ": \"" + name + "\" is not an aspect of this run (" + known + ")");
        }
        v[static_cast<std::size_t>(it - aspects.begin())] = parseWeight(trimmed(pair.substr(eq + 1)), label);
        any = true;
    }
    if (!any)
        throw Error(label + ": no ASPECT=WEIGHT given");
    double sum = 0.0;
    for (const double w : v)
        sum += w;
    if (!(sum > 0.0))
        throw Error(label + ": the weights \"" + text + "\" are all zero");
    return v;
}

std::vector<double> groupWeights(const std::vector<std::vector<double>> &fixed, std::size_t K, double alpha,
                                 std::uint64_t seed, std::int64_t step, std::int64_t group, std::int64_t groupsPerStep)
{
    const auto F = std::min<std::int64_t>(groupsPerStep, static_cast<std::int64_t>(fixed.size()));
    if (group < F) {
        const auto n = static_cast<std::int64_t>(fixed.size());
        return fixed[static_cast<std::size_t>(((step - 1) * F + group) % n)];
    }
    return dirichletWeights(K, alpha, seed, step, group);
}

std::vector<std::vector<double>> sweepVectors(std::size_t K, std::int64_t M, const std::vector<std::size_t> &plane,
                                              std::uint64_t seed)
{
    if (M < 1)
        throw Error("front: --points must be at least 1");
    std::vector<std::vector<double>> out;
    auto add = [&](const std::vector<double> &v) {
        const auto q = quantizeWeights(v);
        if (std::find(out.begin(), out.end(), q) == out.end() && static_cast<std::int64_t>(out.size()) < M)
            out.push_back(q);
    };
    if (plane.size() == 2) {
        for (std::int64_t i = 0; i < M; ++i) {
            std::vector<double> v(K, 0.0);
            const double t = M == 1 ? 0.5 : static_cast<double>(i) / static_cast<double>(M - 1);
            v[plane[0]] = t;
            v[plane[1]] = 1.0 - t;
            add(v);
        }
        return out;
    }
    for (std::size_t k = 0; k < K; ++k) {
        std::vector<double> v(K, 0.0);
        v[k] = 1.0;
        add(v);
    }
    add(std::vector<double>(K, 1.0));
    for (std::int64_t draw = 0; static_cast<std::int64_t>(out.size()) < M && draw < 100 * M; ++draw)
        add(dirichletWeights(K, 1.0, seed, 0, draw));
    return out;
}

std::map<std::string, double> weightMap(const std::vector<std::string> &aspects, const std::vector<double> &weights)
{
    std::map<std::string, double> out;
    for (std::size_t k = 0; k < aspects.size() && k < weights.size(); ++k)
        out[aspects[k]] = weights[k];
    return out;
}

} // namespace awb
