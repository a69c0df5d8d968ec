#include "train/constraints.h"

#include "util/error.h"
#include "util/text_util.h"

#include <algorithm>
#include <cmath>
#include <cstdlib>

namespace awb {

namespace {

} // namespace

Constraint parseConstraint(const std::string &aspect, const std::string &text, const std::string &label)
{
    const std::string t = trimmed(text);
    Constraint c;
    c.aspect = aspect;
    if (t.rfind(">=", 0) == 0)
        c.atLeast = true;
    else if (t.rfind("<=", 0) == 0)
        c.atLeast = false;
    else
        throw Error(label + ": the constraint on \"" + aspect + "\" is \"" + text + "\"; write \">= BOUND\" or \"<= BOUND\"");
    const std::string number = trimmed(t.substr(2));
    char *end = nullptr;
    c.bound = std::strtod(number.c_str(), &end);
    if (number.empty() || *end != '\0' || !std::isfinite(c.bound))
        throw Error(label + ": the constraint on \"" + aspect + "\" is \"" + text + "\"; its bound is not a number");
    return c;
}

std::vector<Constraint> parseConstraints(const std::map<std::string, std::string> &constraints, const std::string &label)
{
    std::vector<Constraint> out;
    for (const auto &[aspect, text] : constraints)
        out.push_back(parseConstraint(aspect, text, label));
    return out;
}

std::map<std::string, std::string> parseConstraintList(const std::string &text)
{
    std::map<std::string, std::string> out;
    std::size_t from = 0;
    while (from <= text.size()) {
        const auto comma = text.find(',', from);
        const std::string item = trimmed(text.substr(from, comma == std::string::npos ? std::string::npos : comma - from));
        from = comma == std::string::npos ? text.size() + 1 : comma + 1;
        if (item.empty())
            continue;
        const auto op = std::min(item.find(">="), item.find("<="));
        if (op == std::string::npos || op == 0)
            throw Error("--constraints: \"" + item + "\" is not ASPECT>=BOUND or ASPECT<=BOUND");
        const std::string aspect = trimmed(item.substr(0, op));
        parseConstraint(aspect, item.substr(op), "--constraints");   // fails here, naming the entry
        out[aspect] = item.substr(op);
    }
    if (out.empty())
        throw Error("--constraints: no constraint given");
    return out;
}

double constraintViolation(const Constraint &c, double mean)
{
    return c.atLeast ? c.bound - mean : mean - c.bound;
}

bool violates(const Constraint &c, double score)
{
    return c.atLeast ? score < c.bound : score > c.bound;
}

double updateLagrangeMultiplier(double lambda, double violation, double lr, double lambdaMax)
{
    double next = std::max(0.0, lambda + lr * violation);
    if (lambdaMax > 0)
        next = std::min(next, lambdaMax);
    return next;
}

} // namespace awb
