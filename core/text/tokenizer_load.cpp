#include "text/tokenizer_impl.h"

#include "io/input_limits.h"
#include "io/json_util.h"
#include "util/error.h"

#include <nlohmann/json.hpp>

#include <filesystem>

namespace fs = std::filesystem;

namespace awb {

namespace {

std::string typeOf(const nlohmann::json &j)
{
    return j.is_object() && j.contains("type") && j["type"].is_string() ? j["type"].get<std::string>() : "";
}

// bos_token and friends: a string, an AddedToken object {"content": ...}, or null.
std::optional<std::string> configToken(const nlohmann::json &config, const char *key, const std::string &label)
{
    if (!config.is_object())
        return std::nullopt;
    const auto it = config.find(key);
    if (it == config.end() || it->is_null())
        return std::nullopt;
    if (it->is_string())
        return it->get<std::string>();
    if (it->is_object() && it->contains("content") && (*it)["content"].is_string())
        return (*it)["content"].get<std::string>();
    throw FormatError(label + ": field \"" + key + "\" must be a string or an object with \"content\"");
}

void parseDecoder(const nlohmann::json &j, const std::string &label, std::vector<Tokenizer::Impl::DecodeStep> &steps)
{
    const std::string type = typeOf(j);
    if (type == "ByteLevel") {
        steps.push_back(Tokenizer::Impl::DecodeStep::ByteLevel);
    } else if (type == "ByteFallback") {
        steps.push_back(Tokenizer::Impl::DecodeStep::ByteFallback);
    } else if (type == "Fuse") {
        // Concatenation is what decoding does anyway.
    } else if (type == "Sequence") {
        const auto it = j.find("decoders");
        if (it == j.end() || !it->is_array())
            throw FormatError(label + ".decoders: missing or not an array");
        for (std::size_t k = 0; k < it->size(); ++k)
            parseDecoder((*it)[k], label + ".decoders[" + std::to_string(k) + "]", steps);
    } else {
        throw FormatError(label + ".type: decoder \"" + type
                          + "\" is not supported (supported: ByteLevel, ByteFallback, Fuse, Sequence)");
    }
}

struct PostProcessing
{
    std::vector<std::int32_t> prefix, suffix;
    bool any = false;
};

void parsePostProcessor(const nlohmann::json &j, const std::string &label, const BpeModel &model, PostProcessing &pp)
{
    if (j.is_null())
        return;
    const std::string type = typeOf(j);
    const auto idOf = [&](const std::string &token, const std::string &where) {
        const auto id = model.tokenToId(token);
        if (!id)
            throw FormatError(where + ": token " + nlohmann::json(token).dump() + " is not in the vocabulary");
        return *id;
    };
    // An id the post-processor adds must decode: it names a token of the vocabulary.
    const auto knownId = [&](const nlohmann::json &v, const std::string &where) {
        const std::int32_t id = tokenIdFromJson(v, where);
        if (!model.idToToken(id))
            throw FormatError(where + ": id " + std::to_string(id) + " is not in the vocabulary");
        return id;
    };
    if (type == "ByteLevel") {
        return;
    } else if (type == "Sequence") {
        const auto it = j.find("processors");
        if (it == j.end() || !it->is_array())
            throw FormatError(label + ".processors: missing or not an array");
        for (std::size_t k = 0; k < it->size(); ++k)
            parsePostProcessor((*it)[k], label + ".processors[" + std::to_string(k) + "]", model, pp);
    } else if (type == "TemplateProcessing") {
        const auto single = j.find("single");
        if (single == j.end() || !single->is_array())
            throw FormatError(label + ".single: missing or not an array");
        pp.any = true;
        bool seenSequence = false;
        for (std::size_t k = 0; k < single->size(); ++k) {
            const auto &item = (*single)[k];
            const std::string where = label + ".single[" + std::to_string(k) + "]";
            if (item.contains("Sequence")) {
                seenSequence = true;
                continue;
            }
            if (!item.contains("SpecialToken") || !item["SpecialToken"].contains("id")
                || !item["SpecialToken"]["id"].is_string())
                throw FormatError(where + ": expected {\"SpecialToken\": {\"id\": ...}} or {\"Sequence\": ...}");
            const std::string name = item["SpecialToken"]["id"].get<std::string>();
            std::vector<std::int32_t> ids;
            const auto special = j.find("special_tokens");
            if (special != j.end() && special->is_object() && special->contains(name)
                && (*special)[name].contains("ids") && (*special)[name]["ids"].is_array()) {
                for (const auto &v : (*special)[name]["ids"])
                    ids.push_back(knownId(v, label + ".special_tokens." + name + ".ids"));
            } else {
                ids.push_back(idOf(name, where));
            }
            auto &dst = seenSequence ? pp.suffix : pp.prefix;
            dst.insert(dst.end(), ids.begin(), ids.end());
        }
    } else if (type == "BertProcessing" || type == "RobertaProcessing") {
        pp.any = true;
        for (const char *key : {"cls", "sep"}) {
            const auto it = j.find(key);
            if (it == j.end() || !it->is_array() || it->size() != 2 || !(*it)[1].is_number_integer())
                throw FormatError(label + "." + key + ": expected [token, id]");
            (std::string(key) == "cls" ? pp.prefix : pp.suffix).push_back(knownId((*it)[1], label + "." + key));
        }
    } else {
        throw FormatError(label + ".type: post-processor \"" + type
                          + "\" is not supported (supported: ByteLevel, TemplateProcessing, BertProcessing, "
                            "RobertaProcessing, Sequence)");
    }
}

std::vector<AddedToken> parseAddedTokens(const nlohmann::json &root, const std::string &label)
{
    std::vector<AddedToken> tokens;
    const auto it = root.find("added_tokens");
    if (it == root.end() || it->is_null())
        return tokens;
    if (!it->is_array())
        throw FormatError(label + ": added_tokens must be an array");
    for (std::size_t k = 0; k < it->size(); ++k) {
        const auto &e = (*it)[k];
        const std::string where = label + ": added_tokens[" + std::to_string(k) + "]";
        if (!e.is_object() || !e.contains("id") || !e.contains("content") || !e["content"].is_string())
            throw FormatError(where + ": needs an integer \"id\" >= 0 and a string \"content\"");
        AddedToken t;
        t.content = e["content"].get<std::string>();
        t.id = tokenIdFromJson(e["id"], where + ".id");
        const auto flag = [&](const char *key) {
            const auto f = e.find(key);
            if (f == e.end() || f->is_null())
                return false;
            if (!f->is_boolean())
                throw FormatError(where + "." + key + ": must be true or false");
            return f->get<bool>();
        };
        t.special = flag("special");
        t.lstrip = flag("lstrip");
        t.rstrip = flag("rstrip");
        t.singleWord = flag("single_word");
        t.normalized = flag("normalized");
        tokens.push_back(std::move(t));
    }
    return tokens;
}

} // namespace

Tokenizer Tokenizer::fromJsonText(const std::string &tokenizerJson, const std::string &configJson,
                                  const std::string &label, const std::string &configLabel)
{
    const nlohmann::json root = parseJson(tokenizerJson, label);
    if (!root.is_object())
        throw FormatError(label + ": expected a JSON object");
    nlohmann::json config = nlohmann::json::object();
    if (!configJson.empty()) {
        config = parseJson(configJson, configLabel);
        if (!config.is_object())
            throw FormatError(configLabel + ": expected a JSON object");
    }

    auto impl = std::make_shared<Impl>();
    impl->label = label;
    impl->configLabel = configLabel;
    const auto model = root.find("model");
    if (model == root.end())
        throw FormatError(label + ": model is missing");
    impl->model = BpeModel::fromJson(*model, label + ": model");
    impl->normalizer = Normalizer::fromJson(root.value("normalizer", nlohmann::json()), label + ": normalizer");
    impl->preTokenizer =
        PreTokenizer::fromJson(root.value("pre_tokenizer", nlohmann::json()), label + ": pre_tokenizer");

    std::vector<AddedToken> added = parseAddedTokens(root, label);
    for (const AddedToken &t : added)
        impl->model.addToken(t.content, t.id);
    impl->flags.assign(static_cast<std::size_t>(impl->model.idLimit()), 0);
    for (const AddedToken &t : added)
        impl->flags[t.id] |= Impl::kAdded | (t.special ? Impl::kSpecial : 0);
    impl->added = AddedTokenMatcher(std::move(added));

    const nlohmann::json decoder = root.value("decoder", nlohmann::json());
    if (decoder.is_null())
        impl->joinWithSpaces = true;
    else
        parseDecoder(decoder, label + ": decoder", impl->decodeSteps);

    PostProcessing pp;
    parsePostProcessor(root.value("post_processor", nlohmann::json()), label + ": post_processor", impl->model, pp);

    const auto idOf = [&](const char *key) -> std::optional<std::int32_t> {
        const auto token = configToken(config, key, configLabel);
        return token ? impl->model.tokenToId(*token) : std::nullopt;
    };
    impl->bos = idOf("bos_token");
    impl->eos = idOf("eos_token");
    impl->pad = idOf("pad_token");
    impl->unk = idOf("unk_token");

    if (const auto it = config.find("additional_special_tokens"); it != config.end() && it->is_array()) {
        for (const auto &e : *it) {
            std::optional<std::string> content;
            if (e.is_string())
                content = e.get<std::string>();
            else if (e.is_object() && e.contains("content") && e["content"].is_string())
                content = e["content"].get<std::string>();
            if (const auto id = content ? impl->model.tokenToId(*content) : std::nullopt)
                impl->flags[*id] |= Impl::kSpecial;
        }
    }

    if (pp.any) {
        impl->prefixIds = pp.prefix;
        impl->suffixIds = pp.suffix;
    } else {
        if (optBool(config, "add_bos_token", configLabel).value_or(false) && impl->bos)
            impl->prefixIds.push_back(*impl->bos);
        if (optBool(config, "add_eos_token", configLabel).value_or(false) && impl->eos)
            impl->suffixIds.push_back(*impl->eos);
    }

    std::string chatSource;
    if (const auto it = config.find("chat_template"); it != config.end() && !it->is_null()) {
        if (it->is_string()) {
            chatSource = it->get<std::string>();
        } else if (it->is_array()) {
            for (const auto &e : *it)
                if (e.is_object() && e.contains("name") && e["name"] == "default" && e.contains("template")
                    && e["template"].is_string())
                    chatSource = e["template"].get<std::string>();
        } else {
            throw FormatError(configLabel + ": field \"chat_template\" must be a string or a list of templates");
        }
    }
    if (static_cast<std::int64_t>(chatSource.size()) > kMaxChatTemplateBytes)
        throw FormatError(configLabel + ": chat_template is " + std::to_string(chatSource.size())
                          + " bytes, longer than " + byteCountText(kMaxChatTemplateBytes) + " (the limit of a chat template)");
    impl->chat = ChatTemplate::fromSource(chatSource, configToken(config, "bos_token", configLabel).value_or(""));
    return Tokenizer(std::move(impl));
}

Tokenizer Tokenizer::load(const std::string &pathOrDir)
{
    std::error_code ec;
    fs::path file = pathOrDir;
    if (fs::is_directory(file, ec))
        file /= "tokenizer.json";
    if (!fs::exists(file, ec))
        throw IoError(file.string() + ": no such file (expected a model folder or a tokenizer.json)");
    const fs::path configFile = file.parent_path() / "tokenizer_config.json";
    const std::string config = fs::exists(configFile, ec) ? readJsonText(configFile.string()) : std::string();
    return fromJsonText(readJsonText(file.string()), config, file.string(), configFile.string());
}

} // namespace awb
