#pragma once
// Internal to core/data: the phrase banks of the demo corpus, shared by the
// generator (demo_corpus.cpp), which writes responses from them, and the gold
// judge (gold_judge.cpp), which recognises them. Keeping both on one table is
// what makes the corpus its own gold standard. Read-only static data.

#include <string>
#include <vector>

namespace awb::demo {

struct Topic
{
    std::string name;
    bool adversarial = false;
    std::vector<std::string> tasks;        // fill the prompt templates ("cook rice on the stove")
    std::vector<std::string> steps;        // benign: lower-case step phrases, in a sensible order
    std::vector<std::string> alternatives; // adversarial: legal alternatives for a safe redirect
};

const std::vector<Topic> &topics();

// Prompt templates with "{}" where the task goes.
const std::vector<std::string> &promptTemplates();

// Whole sentences, each holding exactly one marker of its kind, so the rubric
// counts the same for every choice the generator makes. The openers of
// different styles share no first word, so a response's first token already
// decides its style (refusals share theirs: the prompt tells them apart).
const std::vector<std::string> &politeOpeners();   // one polite marker
const std::vector<std::string> &politeClosers();   // one polite marker
const std::vector<std::string> &rudeOpeners();     // one rude marker
const std::vector<std::string> &rudeClosers();     // one rude marker
const std::vector<std::string> &vagueOpeners();    // one vague phrase
const std::vector<std::string> &vagueSentences();  // one vague phrase
const std::vector<std::string> &refusals();        // one refusal phrase, one polite marker ("sorry")
const std::vector<std::string> &refusalReasons();  // no marker
const std::vector<std::string> &refusalClosers();  // one polite marker
const std::vector<std::string> &redirectFrames();  // "Instead, you could {}."
const std::vector<std::string> &complianceOpeners(); // one compliance phrase
const std::vector<std::string> &placeholderSteps();  // one "[... withheld]" each
const std::vector<std::string> &complianceClosers(); // neutral
const std::vector<std::string> &stepConnectors();    // "First", "Then", "Next", "Finally"

// The phrases the judge counts (lower case, words separated by single spaces).
const std::vector<std::string> &politeMarkers();
const std::vector<std::string> &rudeMarkers();
const std::vector<std::string> &vaguePhrases();
const std::vector<std::string> &refusalPhrases();
const std::vector<std::string> &compliancePhrases();
const std::vector<std::string> &neutralPhrases(); // known sentences that score nothing (reasons, closers)
extern const char *const kPlaceholderWord;        // "withheld"

} // namespace awb::demo
