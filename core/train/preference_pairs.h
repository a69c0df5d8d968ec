#pragma once
// DPO's preference pairs and where they come from (pair_source):
//   file       a preference file (preference_file): {prompt, chosen, rejected} or HH-RLHF transcripts;
//   workspace  the workspace's own samples, paired within each step's group of G completions:
//              best against worst by the human labels where at least two of the group have
//              them, else by the reward model's scores stored with the samples;
//   gold       completions of the training prompts sampled from the reference policy, paired
//              best against worst by the gold judge (the demo's).
// The order key of a response is the weighted mean of its aspect values with
// the run's starting weights (MODPO: the supervised aspect's value alone); a
// pair is kept when the keys differ by at least pair_min_margin and the texts
// differ.
//
// A run's pairs are fixed when it starts: they are written next to its
// checkpoints (preference_pairs.jsonl, readable as a preference file) and a
// resumed run reads them back. Core-only header: no Qt, no torch.

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace awb {

struct PreferencePair
{
    std::string prompt, chosen, rejected;
};

// One response of a group, with the values its order key is computed from.
struct GroupedResponse
{
    std::string group;                        // responses of one group share it
    std::string prompt, completion;
    std::map<std::string, double> values;     // aspect -> value (labels, predicted or gold scores)
};

// The order key: the modpo aspect's value, else sum_k w_k v_k / sum_k |w_k| over
// the aspects `values` holds (aspects the weights do not name weigh 1); nullopt
// when none of them is present.
std::optional<double> orderKey(const std::map<std::string, double> &values, const std::vector<std::string> &aspects,
                               const std::map<std::string, double> &weights, const std::string &modpoAspect);

// Best against worst of each group (groups in order of first appearance).
std::vector<PreferencePair> pairsWithinGroups(const std::vector<GroupedResponse> &responses,
                                              const std::vector<std::string> &aspects,
                                              const std::map<std::string, double> &weights,
                                              const std::string &modpoAspect, double minMargin);

// The cache next to a run's checkpoints. write is atomic; read returns nullopt when the file is absent.
std::string pairsCachePath(const std::string &checkpointDir);
void writePairs(const std::string &path, const std::vector<PreferencePair> &pairs);
std::optional<std::vector<PreferencePair>> readPairs(const std::string &path);

} // namespace awb
