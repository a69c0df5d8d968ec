// Chat templates: recognition of real templates (tests/tokenizer/templates)
// and renderings compared with strings written out by hand from what each
// Jinja template prints. tst_tokenizer_reference checks the same templates
// against a real Jinja engine.
#include "text/chat_template.h"
#include "text/tokenizer.h"
#include "util/error.h"

#include <QtTest>
#include <nlohmann/json.hpp>

#include <fstream>
#include <sstream>

using namespace awb;
using nlohmann::json;
using Messages = std::vector<ChatMessage>;

namespace {

std::string templateFile(const std::string &name)
{
    std::ifstream in(std::string(AWB_TOKENIZER_SRC_DIR) + "/templates/" + name, std::ios::binary);
    if (!in)
        qFatal("missing template %s", name.c_str());
    std::ostringstream s;
    s << in.rdbuf();
    return s.str();
}

std::string render(const ChatTemplate &t, const Messages &m, bool prompt)
{
    ChatTemplateOptions o;
    o.addGenerationPrompt = prompt;
    return t.apply(m, o);
}

// The Llama 3 (base) template: BOS folded into the first message, and the
// assistant header always, with no add_generation_prompt.
const char *kLlama3Base =
    "{% set loop_messages = messages %}{% for message in loop_messages %}{% set content = '<|start_header_id|>' + "
    "message['role'] + '<|end_header_id|>\n\n'+ message['content'] | trim + '<|eot_id|>' %}{% if loop.index0 == 0 %}"
    "{% set content = bos_token + content %}{% endif %}{{ content }}{% endfor %}{{ '<|start_header_id|>assistant"
    "<|end_header_id|>\n\n' }}";

} // namespace

class TestTokenizerChat : public QObject
{
    Q_OBJECT

private slots:
    void recognises_data();
    void recognises();
    void canonicalSourcesAreTheTestTemplates();
    void chatMl();
    void qwen25DefaultSystemPrompt();
    void smolLm2DefaultSystemPrompt();
    void qwen3Thinking();
    void qwen3ToolResponses();
    void llama3();
    void llama31SystemBlock();
    void demo();
    void noOrUnknownTemplate();
    void throughTokenizer();
};

void TestTokenizerChat::recognises_data()
{
    QTest::addColumn<QString>("file");
    QTest::addColumn<ChatTemplateKind>("kind");
    QTest::newRow("chatml") << "chatml.jinja" << ChatTemplateKind::ChatMl;
    QTest::newRow("qwen25") << "qwen25.jinja" << ChatTemplateKind::ChatMl;
    QTest::newRow("qwen3") << "qwen3.jinja" << ChatTemplateKind::ChatMl;
    QTest::newRow("smollm2") << "smollm2.jinja" << ChatTemplateKind::ChatMl;
    QTest::newRow("llama3") << "llama3.jinja" << ChatTemplateKind::Llama3;
    QTest::newRow("llama31") << "llama31.jinja" << ChatTemplateKind::Llama3;
    QTest::newRow("demo") << "demo.jinja" << ChatTemplateKind::Demo;
}

void TestTokenizerChat::recognises()
{
    QFETCH(QString, file);
    QFETCH(ChatTemplateKind, kind);
    QCOMPARE(ChatTemplate::fromSource(templateFile(file.toStdString())).kind(), kind);
}

void TestTokenizerChat::canonicalSourcesAreTheTestTemplates()
{
    QCOMPARE(ChatTemplate::canonicalSource(ChatTemplateKind::ChatMl), templateFile("chatml.jinja"));
    QCOMPARE(ChatTemplate::canonicalSource(ChatTemplateKind::Llama3), templateFile("llama3.jinja"));
    QCOMPARE(ChatTemplate::canonicalSource(ChatTemplateKind::Demo), templateFile("demo.jinja"));
    QVERIFY_THROWS_EXCEPTION(Error, ChatTemplate::canonicalSource(ChatTemplateKind::Unknown));
}

void TestTokenizerChat::chatMl()
{
    const ChatTemplate t = ChatTemplate::fromSource(templateFile("chatml.jinja"));
    const Messages m = {{"system", "Be brief."}, {"user", "Hi!"}, {"assistant", " Hello. "}, {"user", "Bye\n"}};
    QCOMPARE(render(t, m, false), std::string("<|im_start|>system\nBe brief.<|im_end|>\n"
                                              "<|im_start|>user\nHi!<|im_end|>\n"
                                              "<|im_start|>assistant\n Hello. <|im_end|>\n"
                                              "<|im_start|>user\nBye\n<|im_end|>\n"));
    QCOMPARE(render(t, {{"user", "Hi!"}}, true), std::string("<|im_start|>user\nHi!<|im_end|>\n<|im_start|>assistant\n"));
    QCOMPARE(render(t, {}, true), std::string("<|im_start|>assistant\n"));
    QCOMPARE(t.defaultSystemPrompt(), std::string());
}

void TestTokenizerChat::qwen25DefaultSystemPrompt()
{
    const ChatTemplate t = ChatTemplate::fromSource(templateFile("qwen25.jinja"));
    QCOMPARE(t.defaultSystemPrompt(), std::string("You are Qwen, created by Alibaba Cloud. You are a helpful assistant."));
    QCOMPARE(render(t, {{"user", "Hi"}}, true),
             std::string("<|im_start|>system\nYou are Qwen, created by Alibaba Cloud. You are a helpful assistant."
                         "<|im_end|>\n<|im_start|>user\nHi<|im_end|>\n<|im_start|>assistant\n"));
    QCOMPARE(render(t, {{"system", "S"}, {"user", "Hi"}}, false),
             std::string("<|im_start|>system\nS<|im_end|>\n<|im_start|>user\nHi<|im_end|>\n"));
    QCOMPARE(render(t, {{"user", "q"}, {"tool", "r1"}, {"tool", "r2"}}, false),
             std::string("<|im_start|>system\nYou are Qwen, created by Alibaba Cloud. You are a helpful assistant."
                         "<|im_end|>\n<|im_start|>user\nq<|im_end|>\n"
                         "<|im_start|>user\n<tool_response>\nr1\n</tool_response>\n<tool_response>\nr2\n"
                         "</tool_response><|im_end|>\n"));
}

void TestTokenizerChat::smolLm2DefaultSystemPrompt()
{
    // SmolLM2 writes the newline literally inside its Jinja strings.
    const ChatTemplate t = ChatTemplate::fromSource(templateFile("smollm2.jinja"));
    QCOMPARE(t.defaultSystemPrompt(), std::string("You are a helpful AI assistant named SmolLM, trained by Hugging Face"));
    QCOMPARE(render(t, {{"user", "Hi"}}, false),
             std::string("<|im_start|>system\nYou are a helpful AI assistant named SmolLM, trained by Hugging Face"
                         "<|im_end|>\n<|im_start|>user\nHi<|im_end|>\n"));
}

void TestTokenizerChat::qwen3Thinking()
{
    const ChatTemplate t = ChatTemplate::fromSource(templateFile("qwen3.jinja"));
    QCOMPARE(t.defaultSystemPrompt(), std::string());

    QCOMPARE(render(t, {{"user", "Hi"}}, true), std::string("<|im_start|>user\nHi<|im_end|>\n<|im_start|>assistant\n"));
    ChatTemplateOptions noThinking;
    noThinking.addGenerationPrompt = true;
    noThinking.enableThinking = false;
    QCOMPARE(t.apply({{"user", "Hi"}}, noThinking),
             std::string("<|im_start|>user\nHi<|im_end|>\n<|im_start|>assistant\n<think>\n\n</think>\n\n"));

    // The last assistant turn after the last user turn keeps (or gets) a think block.
    QCOMPARE(render(t, {{"system", "S"}, {"user", "Q"}, {"assistant", "<think>\nwhy\n</think>\n\nA"}}, false),
             std::string("<|im_start|>system\nS<|im_end|>\n<|im_start|>user\nQ<|im_end|>\n"
                         "<|im_start|>assistant\n<think>\nwhy\n</think>\n\nA<|im_end|>\n"));
    QCOMPARE(render(t, {{"user", "Q"}, {"assistant", "A"}}, false),
             std::string("<|im_start|>user\nQ<|im_end|>\n<|im_start|>assistant\n<think>\n\n</think>\n\nA<|im_end|>\n"));
    // Earlier assistant turns lose their reasoning.
    QCOMPARE(render(t, {{"user", "Q1"}, {"assistant", "<think>r1</think>\n\nA1"}, {"user", "Q2"}}, true),
             std::string("<|im_start|>user\nQ1<|im_end|>\n<|im_start|>assistant\nA1<|im_end|>\n"
                         "<|im_start|>user\nQ2<|im_end|>\n<|im_start|>assistant\n"));
}

void TestTokenizerChat::qwen3ToolResponses()
{
    const ChatTemplate t = ChatTemplate::fromSource(templateFile("qwen3.jinja"));
    // Tool turns are not queries: the last query is the first user turn, so the final
    // assistant turn gets its think block and the earlier one does not.
    QCOMPARE(render(t, {{"user", "Q"}, {"assistant", "call"}, {"tool", "42"}, {"assistant", "It is 42."}}, false),
             std::string("<|im_start|>user\nQ<|im_end|>\n<|im_start|>assistant\ncall<|im_end|>\n"
                         "<|im_start|>user\n<tool_response>\n42\n</tool_response><|im_end|>\n"
                         "<|im_start|>assistant\n<think>\n\n</think>\n\nIt is 42.<|im_end|>\n"));
}

void TestTokenizerChat::llama3()
{
    const ChatTemplate t = ChatTemplate::fromSource(templateFile("llama3.jinja"), "<|begin_of_text|>");
    const Messages m = {{"system", " S "}, {"user", "\tHi\n"}};
    QCOMPARE(render(t, m, false),
             std::string("<|begin_of_text|><|start_header_id|>system<|end_header_id|>\n\nS<|eot_id|>"
                         "<|start_header_id|>user<|end_header_id|>\n\nHi<|eot_id|>"));
    QCOMPARE(render(t, m, true), render(t, m, false) + "<|start_header_id|>assistant<|end_header_id|>\n\n");

    const ChatTemplate base = ChatTemplate::fromSource(kLlama3Base, "<|begin_of_text|>");
    QCOMPARE(base.kind(), ChatTemplateKind::Llama3);
    QCOMPARE(render(base, {{"user", "Hi"}}, false),
             std::string("<|begin_of_text|><|start_header_id|>user<|end_header_id|>\n\nHi<|eot_id|>"
                         "<|start_header_id|>assistant<|end_header_id|>\n\n"));
}

void TestTokenizerChat::llama31SystemBlock()
{
    const ChatTemplate t = ChatTemplate::fromSource(templateFile("llama31.jinja"), "<|begin_of_text|>");
    QCOMPARE(render(t, {{"user", "Hi"}}, true),
             std::string("<|begin_of_text|><|start_header_id|>system<|end_header_id|>\n\n"
                         "Cutting Knowledge Date: December 2023\nToday Date: 26 Jul 2024\n\n<|eot_id|>"
                         "<|start_header_id|>user<|end_header_id|>\n\nHi<|eot_id|>"
                         "<|start_header_id|>assistant<|end_header_id|>\n\n"));
    ChatTemplateOptions o;
    o.dateString = "01 Jan 2025";
    QCOMPARE(t.apply({{"system", " Be kind. "}, {"user", "Hi"}}, o),
             std::string("<|begin_of_text|><|start_header_id|>system<|end_header_id|>\n\n"
                         "Cutting Knowledge Date: December 2023\nToday Date: 01 Jan 2025\n\nBe kind.<|eot_id|>"
                         "<|start_header_id|>user<|end_header_id|>\n\nHi<|eot_id|>"));
}

void TestTokenizerChat::demo()
{
    const ChatTemplate t = ChatTemplate::fromSource(ChatTemplate::canonicalSource(ChatTemplateKind::Demo));
    QCOMPARE(t.kind(), ChatTemplateKind::Demo);
    QCOMPARE(render(t, {{"system", "S"}, {"user", "How do I bake bread?"}}, true),
             std::string("<|system|>\nS<|end|>\n<|user|>\nHow do I bake bread?<|end|>\n<|assistant|>\n"));
    QCOMPARE(render(t, {{"user", "U"}, {"assistant", "A"}}, false),
             std::string("<|user|>\nU<|end|>\n<|assistant|>\nA<|end|>\n"));
}

void TestTokenizerChat::noOrUnknownTemplate()
{
    const ChatTemplate none = ChatTemplate::fromSource("");
    QCOMPARE(none.kind(), ChatTemplateKind::None);
    const ChatTemplate unknown = ChatTemplate::fromSource("{% for m in messages %}[INST] {{ m.content }} [/INST]{% endfor %}");
    QCOMPARE(unknown.kind(), ChatTemplateKind::Unknown);
    QVERIFY_THROWS_EXCEPTION(Error, render(none, {{"user", "x"}}, true));
    try {
        render(unknown, {{"user", "x"}}, true);
        QFAIL("no exception");
    } catch (const Error &e) {
        QVERIFY(QString(e.what()).contains("not one of the recognised formats"));
    }
}

void TestTokenizerChat::throughTokenizer()
{
    // A tiny tokenizer whose config carries the demo template: the markers encode
    // to their special ids, and the error for a template-less tokenizer names the config.
    json vocab = json::object();
    for (int c = 0x21; c <= 0x7E; ++c)
        vocab[std::string(1, static_cast<char>(c))] = c;
    vocab["\xC4\x8A"] = 10;   // Ċ, the newline byte
    vocab["\xC4\xA0"] = 32;   // Ġ, the space byte
    const json tokenizer = {
        {"added_tokens", json::array({{{"id", 200}, {"content", "<|user|>"}, {"special", true}},
                                      {{"id", 201}, {"content", "<|assistant|>"}, {"special", true}},
                                      {{"id", 202}, {"content", "<|end|>"}, {"special", true}}})},
        {"pre_tokenizer", {{"type", "ByteLevel"}, {"add_prefix_space", false}, {"use_regex", true}}},
        {"decoder", {{"type", "ByteLevel"}}},
        {"model", {{"type", "BPE"}, {"vocab", vocab}, {"merges", json::array()}}},
    };
    const json config = {{"chat_template", ChatTemplate::canonicalSource(ChatTemplateKind::Demo)}, {"eos_token", "<|end|>"}};
    const Tokenizer tok = Tokenizer::fromJsonText(tokenizer.dump(), config.dump(), "tokenizer.json", "tokenizer_config.json");
    QCOMPARE(tok.chatTemplate().kind(), ChatTemplateKind::Demo);
    const std::string prompt = tok.applyChatTemplate({{"user", "Hi"}}, true);
    QCOMPARE(prompt, std::string("<|user|>\nHi<|end|>\n<|assistant|>\n"));
    QCOMPARE(tok.encode(prompt), (std::vector<std::int32_t>{200, 10, 'H', 'i', 202, 10, 201, 10}));
    QCOMPARE(tok.eosId(), std::optional<std::int32_t>(202));

    const Tokenizer bare = Tokenizer::fromJsonText(tokenizer.dump(), "", "tokenizer.json", "dir/tokenizer_config.json");
    try {
        bare.applyChatTemplate({{"user", "Hi"}}, true);
        QFAIL("no exception");
    } catch (const Error &e) {
        QVERIFY2(QString(e.what()).startsWith("dir/tokenizer_config.json: "), e.what());
    }
}

QTEST_GUILESS_MAIN(TestTokenizerChat)
#include "tst_tokenizer_chat.moc"
