#pragma once
// The "normalizer" of tokenizer.json: Unicode normalization forms (NFC, NFD,
// NFKC, NFKD, through ICU), a Sequence of them, or none. Immutable after
// construction: any thread.

#include <nlohmann/json_fwd.hpp>

#include <string>
#include <string_view>
#include <vector>

namespace awb {

class Normalizer
{
public:
    enum class Form { Nfc, Nfd, Nfkc, Nfkd };

    Normalizer() = default;   // the identity

    // `json` is the "normalizer" value (null for none); `label` names it in errors,
    // e.g. "path/tokenizer.json: normalizer". Throws FormatError for unknown types.
    static Normalizer fromJson(const nlohmann::json &json, const std::string &label);

    bool isIdentity() const { return m_forms.empty(); }

    // `text` must be valid UTF-8.
    std::string normalize(std::string_view text) const;

    static std::string apply(Form form, std::string_view text);

private:
    std::vector<Form> m_forms;
};

} // namespace awb
