#include "text/chat_template.h"

#include "text/utf8.h"
#include "util/error.h"

namespace awb {

namespace {

bool contains(const std::string &s, const char *what)
{
    return s.find(what) != std::string::npos;
}

bool startsWith(const std::string &s, const char *prefix)
{
    return s.rfind(prefix, 0) == 0;
}

bool endsWith(const std::string &s, const std::string &suffix)
{
    return s.size() >= suffix.size() && s.compare(s.size() - suffix.size(), suffix.size(), suffix) == 0;
}

// Python's str.isspace(), which Jinja's trim filter (str.strip) uses.
bool isPythonSpace(char32_t cp)
{
    return (cp >= 0x09 && cp <= 0x0D) || (cp >= 0x1C && cp <= 0x20) || cp == 0x85 || cp == 0xA0 || cp == 0x1680
           || (cp >= 0x2000 && cp <= 0x200A) || cp == 0x2028 || cp == 0x2029 || cp == 0x202F || cp == 0x205F
           || cp == 0x3000;
}

std::string pythonStrip(const std::string &s)
{
    std::size_t begin = 0, end = s.size();
    while (begin < end) {
        const std::size_t n = utf8::sequenceLength(s, begin);
        if (n == 0 || !isPythonSpace(utf8::decodeAt(s, begin, n)))
            break;
        begin += n;
    }
    while (end > begin) {
        std::size_t start = end - 1;
        while (start > begin && (static_cast<unsigned char>(s[start]) & 0xC0) == 0x80)
            --start;
        const std::size_t n = utf8::sequenceLength(s, start);
        if (n != end - start || !isPythonSpace(utf8::decodeAt(s, start, n)))
            break;
        end = start;
    }
    return s.substr(begin, end - begin);
}

std::string lstripNewlines(const std::string &s)
{
    const auto b = s.find_first_not_of('\n');
    return b == std::string::npos ? std::string() : s.substr(b);
}

std::string rstripNewlines(const std::string &s)
{
    const auto e = s.find_last_not_of('\n');
    return e == std::string::npos ? std::string() : s.substr(0, e + 1);
}

std::string stripNewlines(const std::string &s)
{
    return lstripNewlines(rstripNewlines(s));
}

// Undoes the escapes of a Jinja string literal.
std::string unescapeJinja(const std::string &s)
{
    std::string out;
    for (std::size_t i = 0; i < s.size(); ++i) {
        if (s[i] != '\\' || i + 1 == s.size()) {
            out += s[i];
            continue;
        }
        const char c = s[++i];
        out += c == 'n' ? '\n' : c == 't' ? '\t' : c;
    }
    return out;
}

// A constant system prompt written into the template as
// '<|im_start|>system\n...<|im_end|>' (with no expression inside).
std::string findDefaultSystemPrompt(const std::string &src)
{
    const std::string open = "<|im_start|>system";
    for (std::size_t at = src.find(open); at != std::string::npos; at = src.find(open, at + 1)) {
        std::size_t body = at + open.size();
        if (src.compare(body, 2, "\\n") == 0)
            body += 2;
        else if (body < src.size() && src[body] == '\n')
            body += 1;
        else
            continue;
        const std::size_t close = src.find("<|im_end|>", body);
        if (close == std::string::npos)
            break;
        const std::string text = src.substr(body, close - body);
        if (text.empty() || text.find_first_of("'\"+{}") != std::string::npos)
            continue;
        return unescapeJinja(text);
    }
    return {};
}

std::string imBlock(const std::string &role, const std::string &content)
{
    return "<|im_start|>" + role + "\n" + content + "<|im_end|>\n";
}

} // namespace

const char *chatTemplateKindName(ChatTemplateKind kind)
{
    switch (kind) {
    case ChatTemplateKind::None: return "none";
    case ChatTemplateKind::Unknown: return "unknown";
    case ChatTemplateKind::ChatMl: return "chatml";
    case ChatTemplateKind::Llama3: return "llama3";
    case ChatTemplateKind::Demo: return "demo";
    }
    return "unknown";
}

ChatTemplate ChatTemplate::fromSource(const std::string &jinja, const std::string &bosToken)
{
    ChatTemplate t;
    t.m_source = jinja;
    t.m_bos = bosToken;
    if (jinja.empty()) {
        t.m_kind = ChatTemplateKind::None;
    } else if (contains(jinja, "<|im_start|>")) {
        t.m_kind = ChatTemplateKind::ChatMl;
        t.m_defaultSystem = findDefaultSystemPrompt(jinja);
        t.m_qwen3 = contains(jinja, "reasoning_content");
    } else if (contains(jinja, "<|start_header_id|>")) {
        t.m_kind = ChatTemplateKind::Llama3;
        t.m_bosPrefix = contains(jinja, "bos_token");
        t.m_llama31System = contains(jinja, "Cutting Knowledge Date");
        t.m_alwaysPrompt = !contains(jinja, "add_generation_prompt");
    } else if (contains(jinja, "<|assistant|>") && contains(jinja, "<|end|>")) {
        t.m_kind = ChatTemplateKind::Demo;
    } else {
        t.m_kind = ChatTemplateKind::Unknown;
    }
    return t;
}

std::string ChatTemplate::canonicalSource(ChatTemplateKind kind)
{
    switch (kind) {
    case ChatTemplateKind::ChatMl:
        return "{% for message in messages %}{{ '<|im_start|>' + message['role'] + '\\n' + message['content'] + "
               "'<|im_end|>' + '\\n' }}{% endfor %}{% if add_generation_prompt %}{{ '<|im_start|>assistant\\n' }}"
               "{% endif %}";
    case ChatTemplateKind::Llama3:
        return "{{ bos_token }}{% for message in messages %}{{ '<|start_header_id|>' + message['role'] + "
               "'<|end_header_id|>\\n\\n' + message['content'] | trim + '<|eot_id|>' }}{% endfor %}"
               "{% if add_generation_prompt %}{{ '<|start_header_id|>assistant<|end_header_id|>\\n\\n' }}{% endif %}";
    case ChatTemplateKind::Demo:
        return "{% for message in messages %}{{ '<|' + message['role'] + '|>\\n' + message['content'] + "
               "'<|end|>\\n' }}{% endfor %}{% if add_generation_prompt %}{{ '<|assistant|>\\n' }}{% endif %}";
    case ChatTemplateKind::None:
    case ChatTemplateKind::Unknown:
        break;
    }
    throw Error(std::string("chat template: no canonical source for kind ") + chatTemplateKindName(kind));
}

std::string ChatTemplate::apply(const std::vector<ChatMessage> &messages, const ChatTemplateOptions &options) const
{
    switch (m_kind) {
    case ChatTemplateKind::ChatMl:
        return m_qwen3 ? applyQwen3(messages, options) : applyChatMl(messages, options);
    case ChatTemplateKind::Llama3:
        return applyLlama3(messages, options);
    case ChatTemplateKind::Demo:
        return applyDemo(messages, options);
    case ChatTemplateKind::None:
        throw Error("chat template: the tokenizer has no chat_template");
    case ChatTemplateKind::Unknown:
        break;
    }
    throw Error("chat template: chat_template is not one of the recognised formats (ChatML, Llama 3, demo); "
                "templates are recognised by their markers and rendered by the workbench, never executed");
}

std::string ChatTemplate::applyChatMl(const std::vector<ChatMessage> &messages,
                                     const ChatTemplateOptions &options) const
{
    std::string out;
    if (!m_defaultSystem.empty() && !messages.empty() && messages.front().role != "system")
        out += imBlock("system", m_defaultSystem);
    const bool toolResponses = contains(m_source, "<tool_response>");
    for (std::size_t i = 0; i < messages.size(); ++i) {
        const ChatMessage &m = messages[i];
        if (m.role == "tool" && toolResponses) {
            if (i == 0 || messages[i - 1].role != "tool")
                out += "<|im_start|>user";
            out += "\n<tool_response>\n" + m.content + "\n</tool_response>";
            if (i + 1 == messages.size() || messages[i + 1].role != "tool")
                out += "<|im_end|>\n";
        } else {
            out += imBlock(m.role, m.content);
        }
    }
    if (options.addGenerationPrompt)
        out += "<|im_start|>assistant\n";
    return out;
}

std::string ChatTemplate::applyQwen3(const std::vector<ChatMessage> &messages,
                                    const ChatTemplateOptions &options) const
{
    std::string out;
    if (!messages.empty() && messages.front().role == "system")
        out += imBlock("system", messages.front().content);

    // The last user turn that is not a wrapped tool response.
    std::size_t lastQuery = messages.empty() ? 0 : messages.size() - 1;
    for (std::size_t k = messages.size(); k-- > 0;) {
        const ChatMessage &m = messages[k];
        if (m.role == "user"
            && !(startsWith(m.content, "<tool_response>") && endsWith(m.content, "</tool_response>"))) {
            lastQuery = k;
            break;
        }
    }

    for (std::size_t i = 0; i < messages.size(); ++i) {
        const ChatMessage &m = messages[i];
        const bool last = i + 1 == messages.size();
        if (m.role == "user" || (m.role == "system" && i > 0)) {
            out += imBlock(m.role, m.content);
        } else if (m.role == "assistant") {
            std::string content = m.content, reasoning;
            const auto close = m.content.find("</think>");
            if (close != std::string::npos) {
                content = lstripNewlines(m.content.substr(m.content.rfind("</think>") + 8));
                std::string before = rstripNewlines(m.content.substr(0, close));
                const auto open = before.rfind("<think>");
                if (open != std::string::npos)
                    before = before.substr(open + 7);
                reasoning = lstripNewlines(before);
            }
            if (i > lastQuery && (last || !reasoning.empty()))
                out += "<|im_start|>" + m.role + "\n<think>\n" + stripNewlines(reasoning) + "\n</think>\n\n"
                       + lstripNewlines(content);
            else
                out += "<|im_start|>" + m.role + "\n" + content;
            out += "<|im_end|>\n";
        } else if (m.role == "tool") {
            if (i == 0 || messages[i - 1].role != "tool")
                out += "<|im_start|>user";
            out += "\n<tool_response>\n" + m.content + "\n</tool_response>";
            if (last || messages[i + 1].role != "tool")
                out += "<|im_end|>\n";
        }
    }
    if (options.addGenerationPrompt) {
        out += "<|im_start|>assistant\n";
        if (options.enableThinking == false)
            out += "<think>\n\n</think>\n\n";
    }
    return out;
}

std::string ChatTemplate::applyLlama3(const std::vector<ChatMessage> &messages,
                                     const ChatTemplateOptions &options) const
{
    std::string out = m_bosPrefix ? m_bos : std::string();
    std::size_t first = 0;
    if (m_llama31System) {
        std::string system;
        if (!messages.empty() && messages.front().role == "system") {
            system = pythonStrip(messages.front().content);
            first = 1;
        }
        out += "<|start_header_id|>system<|end_header_id|>\n\nCutting Knowledge Date: December 2023\nToday Date: "
               + options.dateString + "\n\n" + system + "<|eot_id|>";
    }
    for (std::size_t i = first; i < messages.size(); ++i)
        out += "<|start_header_id|>" + messages[i].role + "<|end_header_id|>\n\n" + pythonStrip(messages[i].content)
               + "<|eot_id|>";
    if (options.addGenerationPrompt || m_alwaysPrompt)
        out += "<|start_header_id|>assistant<|end_header_id|>\n\n";
    return out;
}

std::string ChatTemplate::applyDemo(const std::vector<ChatMessage> &messages,
                                   const ChatTemplateOptions &options) const
{
    std::string out;
    for (const ChatMessage &m : messages)
        out += "<|" + m.role + "|>\n" + m.content + "<|end|>\n";
    if (options.addGenerationPrompt)
        out += "<|assistant|>\n";
    return out;
}

} // namespace awb
