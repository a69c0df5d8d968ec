// awb labels export|import: human labels between copies of a workspace, so
// several annotators can merge their work (core/store/label_exchange.h).
#include "cli/commands.h"

#include "store/label_exchange.h"
#include "util/error.h"

#include <CLI/CLI.hpp>
#include <nlohmann/json.hpp>

#include <filesystem>
#include <memory>
#include <ostream>

namespace awb {

namespace {

Store openExisting(const std::string &db)
{
    requireWorkspace(db);
    return Store::open(db);
}

} // namespace

void registerLabelCommands(CLI::App &app, CommandContext &ctx)
{
    auto *labels = app.add_subcommand("labels", "Export human labels, or import (merge) them from another copy of the workspace");
    labels->require_subcommand(1);

    auto *exp = labels->add_subcommand("export", "Write every label (the history, with annotators and times) as JSON lines");
    auto expDb = std::make_shared<std::string>();
    auto expOut = std::make_shared<std::string>();
    exp->add_option("--db", *expDb, "Workspace (SQLite file)")->required();
    exp->add_option("--out", *expOut, "Labels file to write (JSON lines)")->required();
    exp->callback([&ctx, expDb, expOut] {
        ctx.action = [&ctx, expDb, expOut] {
            const Store store = openExisting(*expDb);
            const LabelExportResult r = exportLabels(store, *expOut);
            ctx.out << nlohmann::json{{"file", *expOut}, {"samples", r.samples}, {"labels", r.labels}}.dump() << "\n";
            return 0;
        };
    });

    auto *imp = labels->add_subcommand("import", "Append the labels of a file written by `awb labels export`; "
                                                 "prints what was added and the conflicts between annotators");
    auto impDb = std::make_shared<std::string>();
    auto impIn = std::make_shared<std::string>();
    imp->add_option("--db", *impDb, "Workspace (SQLite file) to merge into")->required();
    imp->add_option("--in", *impIn, "Labels file (JSON lines)")->required();
    imp->callback([&ctx, impDb, impIn] {
        ctx.action = [&ctx, impDb, impIn] {
            Store store = openExisting(*impDb);
            const LabelImportResult r = importLabels(store, *impIn);
            nlohmann::json conflicts = nlohmann::json::array();
            for (const auto &c : r.conflicts) {
                nlohmann::json values = nlohmann::json::object();
                for (const auto &[annotator, value] : c.values)
                    values[annotator] = value;
                conflicts.push_back({{"sample_id", c.sampleId}, {"aspect", c.aspect}, {"values", values}});
            }
            ctx.out << nlohmann::json{{"added", r.added},         {"duplicates", r.duplicates},
                                      {"unmatched", r.unmatched}, {"problems", r.problems},
                                      {"conflicts", conflicts}}
                           .dump()
                    << "\n";
            for (const auto &p : r.problems)
                ctx.err << "awb: " << p << "\n";
            return 0;
        };
    });
}

} // namespace awb
