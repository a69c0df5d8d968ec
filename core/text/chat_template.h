#pragma once
// Chat templates without a Jinja engine: the tokenizer_config.json
// "chat_template" string is recognised by its markers and rendered by code
// that reproduces what that family's template produces.
//
//   ChatMl  "<|im_start|>" in the template (Qwen2/2.5/3, SmolLM2):
//           <|im_start|>{role}\n{content}<|im_end|>\n ... and, for the
//           generation prompt, <|im_start|>assistant\n.
//           - A fixed system prompt in the template ('<|im_start|>system\nYou
//             are Qwen, ...<|im_end|>') is inserted when a non-empty
//             conversation does not start with a system message (Qwen2.5, SmolLM2).
//           - "reasoning_content" in the template means Qwen3's rules: an
//             assistant turn after the last user turn gets a <think> block,
//             earlier ones lose theirs; enable_thinking=false appends an empty
//             <think></think> block to the generation prompt.
//   Llama3  "<|start_header_id|>" (Llama 3, 3.1, 3.2):
//           {bos}<|start_header_id|>{role}<|end_header_id|>\n\n{content|trim}<|eot_id|>
//           and <|start_header_id|>assistant<|end_header_id|>\n\n as the prompt.
//           - bos_token only when the template mentions it;
//           - "Cutting Knowledge Date" means the 3.1/3.2 system block
//             ("Cutting Knowledge Date: December 2023\nToday Date: {date}\n\n"
//             then the system message), always present;
//           - a template that never mentions add_generation_prompt (the
//             Llama 3 base models') always ends with the assistant header.
//   Demo    "<|assistant|>" and "<|end|>" (the project's own, and Phi-3's
//           layout): <|{role}|>\n{content}<|end|>\n per message, so
//           <|system|>, <|user|>, <|assistant|>, and <|assistant|>\n as the
//           generation prompt. No BOS. A tokenizer for it should have
//           <|system|>, <|user|>, <|assistant|> and <|end|> as special tokens.
// Tools, documents and tool-call fields are not rendered.
//
// Plain value type: copy freely, use from any thread.

#include <optional>
#include <string>
#include <vector>

namespace awb {

struct ChatMessage
{
    std::string role;      // "system", "user", "assistant" (ChatML also "tool")
    std::string content;
};

enum class ChatTemplateKind {
    None,      // tokenizer_config.json has no chat_template
    Unknown,   // it has one, but none of the markers above
    ChatMl,
    Llama3,
    Demo,
};

const char *chatTemplateKindName(ChatTemplateKind kind);

struct ChatTemplateOptions
{
    bool addGenerationPrompt = false;     // end with the header that starts an assistant turn
    std::optional<bool> enableThinking;   // Qwen3 only: false adds an empty <think> block
    std::string dateString = "26 Jul 2024";   // Llama 3.1 system block: the template's default
};

class ChatTemplate
{
public:
    ChatTemplate() = default;   // kind None

    // Recognises a Jinja chat template. `bosToken` is what {{ bos_token }} prints.
    static ChatTemplate fromSource(const std::string &jinja, const std::string &bosToken = {});

    // The canonical Jinja source of a kind (ChatMl, Llama3 or Demo), e.g. to write
    // into a new tokenizer_config.json; fromSource() recognises it again.
    static std::string canonicalSource(ChatTemplateKind kind);

    ChatTemplateKind kind() const { return m_kind; }
    const std::string &source() const { return m_source; }
    const std::string &defaultSystemPrompt() const { return m_defaultSystem; }

    // Renders a conversation. Throws Error for kind None or Unknown, naming the kind.
    std::string apply(const std::vector<ChatMessage> &messages, const ChatTemplateOptions &options) const;

private:
    std::string applyChatMl(const std::vector<ChatMessage> &messages, const ChatTemplateOptions &options) const;
    std::string applyQwen3(const std::vector<ChatMessage> &messages, const ChatTemplateOptions &options) const;
    std::string applyLlama3(const std::vector<ChatMessage> &messages, const ChatTemplateOptions &options) const;
    std::string applyDemo(const std::vector<ChatMessage> &messages, const ChatTemplateOptions &options) const;

    ChatTemplateKind m_kind = ChatTemplateKind::None;
    std::string m_source;
    std::string m_bos;
    std::string m_defaultSystem;        // ChatML: inserted when the first message is not a system one
    bool m_qwen3 = false;               // ChatML with Qwen3's <think> rules
    bool m_bosPrefix = false;           // Llama3: the template prints bos_token
    bool m_llama31System = false;       // Llama3: Cutting Knowledge Date block
    bool m_alwaysPrompt = false;        // Llama3: generation prompt regardless of the option
};

} // namespace awb
