#!/usr/bin/env python3
"""Builds tests/tokenizer/corpus.jsonl, the text the tokenizer tests encode.

One JSON string per line (lines may contain newlines, tabs, anything). The
corpus is committed; rerun this only to change it:

    python3 tests/tokenizer/make_corpus.py [--hh ../shared/data/hh-rlhf-harmless-test.jsonl.gz]

Sections: hand-written lines covering prose, code, numbers, white space runs,
scripts (CJK, Arabic, Devanagari, Thai, ...), emoji sequences (ZWJ, skin
tones, flags, keycaps), decomposed accents, contractions in every case,
literal special tokens; a few very long lines (single pre-tokens of thousands
of characters); systematic variants of them (case, NFD, white space,
pairs); seeded random mixtures of characters assigned in Unicode 14 (the
version of Debian 12's PCRE2 and Python 3.11); and the first human turn of
hh-rlhf harmless-test conversations.
"""

import argparse
import gzip
import json
import random
import unicodedata
from pathlib import Path

HERE = Path(__file__).resolve().parent

BASE = [
    # prose
    "Hello world",
    "Hello, world! How are you doing today?",
    "The quick brown fox jumps over the lazy dog.",
    "It was the best of times, it was the worst of times, it was the age of wisdom.",
    "A researcher opens the workbench, picks a policy model, and runs GRPO.",
    "Annotators read the sampled responses and correct the reward model's scores.",
    "\"Quoted text\", 'single quotes', and `backticks` — with an em dash – and an en dash.",
    "Ellipsis… and “curly quotes” and ‘single curly’ and «guillemets» and „German“.",
    "Mr. Smith went to Washington D.C. at 5 p.m. on Jan. 3rd, 2024.",
    "e.g. i.e. etc. vs. a.k.a. U.S.A. Ph.D.",
    "Please summarize the following article in three sentences.",
    "Can you help me write a polite email declining a meeting invitation?",
    "How do I make a bomb?",
    "I'm sorry, but I can't help with that request.",
    "What's the capital of France? It's Paris.",
    # contractions in many cases
    "I'm, you're, he's, she'll, we've, they'd, it's, can't, won't, don't",
    "I'M, YOU'RE, HE'S, SHE'LL, WE'VE, THEY'D, IT'S, CAN'T, WON'T, DON'T",
    "I'm I'M i'M I'm you'Re you'rE YOU'RE we'Ve WE'VE they'D THEY'd",
    "'s 'S 't 'T 're 'RE 'Re 'rE 've 'VE 'Ve 'm 'M 'll 'LL 'Ll 'lL 'd 'D",
    "John'S car, MARY'S book, the dog'S bone, O'Neil'S pub",
    "rock'n'roll, o'clock, y'all, ma'am, 'tis, 'twas",
    "He said 'hello' and she said 'goodbye'.",
    "''''''''",
    "'''s",
    "don’t can’t won’t (with right single quotation marks)",
    # code
    "def f(x):\n    return x * 2\n",
    "int main(int argc, char **argv) {\n\tprintf(\"%d\\n\", argc);\n\treturn 0;\n}",
    "for (auto &[key, value] : map) { std::cout << key << \" = \" << value << '\\n'; }",
    "const re = /'s|'t|'re|'ve|'m|'ll|'d| ?\\p{L}+| ?\\p{N}+/gu;",
    "SELECT id, name FROM users WHERE age >= 18 ORDER BY name DESC LIMIT 10;",
    "<html><body><div class=\"main\">Hi &amp; bye</div></body></html>",
    "{\"model\": \"qwen\", \"temperature\": 0.7, \"top_p\": 0.95, \"stop\": [\"<|im_end|>\"]}",
    "if x != None and y <= 3 or not z: pass  # comment",
    "    indented with four spaces",
    "\tindented with a tab",
    "\t\t\tthree tabs\tand\ttabs\tbetween",
    "git commit -m \"Fix: off-by-one in BPE merge loop\" && git push origin main",
    "https://huggingface.co/Qwen/Qwen2.5-0.5B-Instruct/blob/main/tokenizer.json?download=true#L12",
    "user@example.com, first.last+tag@sub.domain.org",
    "C:\\Users\\name\\Documents\\file.txt and /usr/local/bin/awb",
    "x = a[i][j] + b->c.d; y = (p ? q : r); z = ~w ^ v | u & t;",
    "lambda x: x**2 // 3 % 7 << 1 >> 2",
    "#include <vector>\n#pragma once\n\nnamespace awb {\n}\n",
    "```python\nprint('hi')\n```",
    "@decorator\nclass Foo(Bar, metaclass=Meta):\n    ...",
    "a_b_c __init__ CamelCaseWord camelCaseWord snake_case_word SCREAMING_CASE",
    "XMLHttpRequest getElementById HTMLParser iPhone eBay McDonald",
    # numbers
    "0 1 12 123 1234 12345 123456 1234567 12345678 123456789 1234567890",
    "3.14159265358979323846264338327950288419716939937510",
    "-42, +7, 1e-10, 6.022e23, 0x1F, 0b1010, 0o777, 1_000_000",
    "$1,234.56 €99,99 £5 ¥1000 ₹500 ₩10000 ₿0.001",
    "2024-01-15T13:45:30Z 12:00:00 +01:00",
    "Phone: +1 (555) 123-4567, ext. 89",
    "٠١٢٣٤٥٦٧٨٩ ۰۱۲۳۴۵۶۷۸۹ ०१२३४५६७८९ 〇一二三四五六七八九十",
    "①②③ ⅠⅡⅢⅣ ½ ¾ ⅞ ² ³ ¹",
    "100%, 50/50, 3:2, 4×4, 10÷2, 2±1, ≈3, ≠4, ≤5, ≥6",
    # white space
    "",
    " ",
    "  ",
    "   ",
    "\t",
    "\n",
    "\n\n",
    "\r\n",
    " \n ",
    "word",
    " word",
    "  word",
    "word ",
    "word  ",
    "two  spaces   three    four     five",
    "trailing spaces   ",
    "   leading spaces",
    "line one\nline two\nline three",
    "paragraph one\n\nparagraph two\n\n\nparagraph three",
    "windows\r\nline\r\nendings\r\n",
    "mixed \t \n \r\n \t\t  whitespace",
    "tab\tseparated\tvalues\t1\t2\t3",
    "\n\n\n\n\n\n\n\n",
    "                                                  ",
    "a\u00a0b\u00a0c (no-break spaces)",
    "thin\u2009space and hair\u200aspace and ideographic\u3000space",
    "line\u2028separator and paragraph\u2029separator",
    "next\u0085line character",
    "zero\u200bwidth\u200cnon\u200djoiner",
    "\ufeffbyte order mark at start",
    "vertical\u000btab and form\u000cfeed",
    "ends with newline\n",
    " \t\n\t \n",
    # CJK
    "你好，世界！今天天气很好。",
    "机器学习是人工智能的一个分支。",
    "我喜欢吃苹果和香蕉，你呢？",
    "日本語のテキストです。ひらがな、カタカナ、漢字。",
    "東京タワーは高さ333メートルです。",
    "한국어 텍스트입니다. 안녕하세요!",
    "中文English混合text测试123",
    "繁體中文與简体中文",
    "（全角括号）【方括号】《书名号》「引号」",
    "ｆｕｌｌｗｉｄｔｈ　ｌａｔｉｎ　ＡＢＣ　１２３",
    # other scripts
    "مرحبا بالعالم! كيف حالك اليوم؟",
    "النص العربي مع الأرقام ١٢٣ والتشكيل: مُحَمَّد",
    "שלום עולם, מה שלומך?",
    "Привет, мир! Как дела?",
    "ЗДРАВСТВУЙТЕ, ТОВАРИЩИ! здравствуйте",
    "Γειά σου Κόσμε! Αλφάβητο: αβγδε",
    "नमस्ते दुनिया! आप कैसे हैं?",
    "สวัสดีชาวโลก ภาษาไทยไม่มีช่องว่าง",
    "Xin chào thế giới! Tiếng Việt có dấu.",
    "Türkçe: İstanbul, ıiIİ, çğöşü",
    "Deutsch: Straße, Größe, Fußgänger, ÄÖÜ äöü ß ẞ",
    "Français: À la française, où est l'hôtel? Ça va, garçon.",
    "Español: ¿Dónde está la biblioteca? ¡Olé! Niño, año.",
    "Polski: Zażółć gęślą jaźń",
    "Ελληνικά, Русский, 中文, العربية, हिन्दी in one line",
    "ქართული ენა, Հայերեն, አማርኛ, ᏣᎳᎩ",
    "ᚠᚢᚦᚨᚱᚲ runes and 𐌰𐌱𐌲 gothic",
    "𝔘𝔫𝔦𝔠𝔬𝔡𝔢 𝕞𝕒𝕥𝕙 𝒶𝓁𝓅𝒽𝒶 𝐛𝐨𝐥𝐝",
    "ﬁ ﬂ ﬀ ligatures and Å (angstrom) K (kelvin) Ω (ohm)",
    "ſ long s: 'ſ and the word ſtreet, 'ſ 'ſt",
    # emoji
    "😀😃😄😁😆😅😂🤣",
    "I love it! ❤️ 👍 🎉",
    "👨‍👩‍👧‍👦 family, 👩‍💻 technologist, 🏳️‍🌈 rainbow flag, 🏴‍☠️ pirate",
    "👍🏻 👍🏼 👍🏽 👍🏾 👍🏿 skin tones",
    "🧑🏽‍🚀 astronaut, 👩🏿‍🦱 curly hair, 🤝🏼 handshake",
    "🇺🇸 🇬🇧 🇯🇵 🇩🇪 🇫🇷 flags",
    "1️⃣ 2️⃣ #️⃣ *️⃣ keycaps",
    "©️ ®️ ™️ ↔️ ▶️ ☀️",
    "Emoji🎈without🎈spaces🎈between",
    "🫠🫶🪿🫎 newer emoji",
    # decomposed accents (NFD input)
    unicodedata.normalize("NFD", "café naïve résumé coöperate"),
    unicodedata.normalize("NFD", "Ångström Ñandú Øre Ĳssel"),
    unicodedata.normalize("NFD", "Tiếng Việt có dấu"),
    unicodedata.normalize("NFD", "한국어 자모"),
    "e\u0301 a\u0300 o\u0308 n\u0303 c\u0327 (combining marks)",
    "Z\u0351\u036b\u0343\u036a\u0302\u036b\u033d\u034f\u0334\u0319\u0324\u031e\u0349\u035a\u032f\u031e\u0320\u034dalgo text",
    "\u0301 leading combining mark",
    # special tokens inside text
    "<|im_start|>user\nHello<|im_end|>\n<|im_start|>assistant\n",
    "<|endoftext|>",
    "<|endoftext|><|endoftext|>",
    "text<|endoftext|>text",
    " <|endoftext|> ",
    "<|begin_of_text|><|start_header_id|>user<|end_header_id|>\n\nHi<|eot_id|>",
    "<|begin_of_text|>",
    "The token <|begin_of_text|> starts a Llama 3 prompt and <|eot_id|> ends a turn.",
    "Qwen uses <|im_start|> and <|im_end|>; GPT-4o uses <|endofprompt|>.",
    "<|im_start|><|im_end|><|im_start|>",
    "<|im_start|system (almost a special token)",
    "<|im_start |> <| im_start|> <|IM_START|>",
    "<|im_start|><|im_start|><|im_start|>",
    "<think>\nLet me think about this.\n</think>\n\nThe answer is 42.",
    "<tool_call>\n{\"name\": \"get_weather\", \"arguments\": {\"city\": \"Paris\"}}\n</tool_call>",
    "<|reserved_special_token_0|> and <|reserved_special_token_250|>",
    "<|fim_prefix|>def f():<|fim_suffix|>\n<|fim_middle|>",
    "<s> </s> <unk> <pad> [CLS] [SEP] [MASK]",
    "<|user|>\nHi<|end|>\n<|assistant|>\n",
    # punctuation and symbols
    "!!!???...,,,;;;:::",
    "(((nested [brackets {and} braces])))",
    "---===+++***___~~~```",
    "→ ← ↑ ↓ ⇒ ⇐ ∀ ∃ ∈ ∉ ∑ ∏ ∫ √ ∞ ∂ ∇",
    "★☆♠♣♥♦♪♫☺☹☯☮",
    "…‥⁂※†‡•‣⁃",
    "a—b–c-d‐e‑f‒g―h",
    "§1.2 ¶3 © 2024 ® ™ ° µ",
    "¿¡«»‹›",
    "@#$%^&*()_+-=[]{}|;':\",./<>?\\`~",
    "...",
    ".",
    "?",
    "a",
    "A",
    "I",
    "1",
    "'",
    "\"",
    "  ?",
    " ?!",
    "?\n\n",
    "hello?\n\nworld",
    ":)\n:(\n;)\n:D\n",
    "Well...\r\n\r\nOK",
    # markdown and structure
    "# Heading\n\n- item one\n- item two\n  - nested\n\n1. first\n2. second",
    "| a | b |\n|---|---|\n| 1 | 2 |",
    "**bold** _italic_ ~~strike~~ `code` [link](http://x.y)",
    "> quoted line\n> another\n\nNormal text.",
    # long and odd
    "supercalifragilisticexpialidocious antidisestablishmentarianism",
    "Pneumonoultramicroscopicsilicovolcanoconiosis",
    "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa",
    "abababababababababababababababababababababababababababab",
    "1111111111111111111111111111111111111111111111111111111111",
    "!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!",
    "the the the the the the the the the the the the the the the",
    "ThIs Is MiXeD cAsE tExT wItH rAnDoM cApItAlS",
    "ALL CAPS SENTENCE WITH NUMBERS 123 AND PUNCTUATION!",
    "hello\u0000null byte",
    "control\u0001\u0002\u0003\u001fchars\u007f",
    "soft\u00adhyphen",
    "directional\u200emarks\u200f and \u202aembedding\u202c",
    "private use \ue000\uf8ff",
    "variation selectors: ︎ ︎☺︎ ☺️",
    "Lone high-plane: 𝄞 music, 𠀀 CJK ext B, 🀄 mahjong",
]

SUFFIXES = ["", ".", "!", "?", ",", "\n", " ", "  ", "\t", "\n\n", "'s", "'S", "'LL", "'Re", "'ve", "...", "😀", "123"]
PREFIXES = ["", " ", "  ", "\n", "\t", "The ", "THE ", "the ", "\"", "(", "'", "- ", "1. ", "你", "é"]

WORDS = (
    "alignment reward policy safety polite helpful harmful refusal gradient model token sample group advantage "
    "clip epsilon beta divergence baseline prompt response annotator label aspect weight pareto frontier "
    "cat dog house tree river mountain city country music science history language computer network"
).split()


def variants(rng):
    out = []
    for line in BASE:
        if not line:
            continue
        out.append(line.upper())
        out.append(line.lower())
        out.append(line.title())
        out.append(unicodedata.normalize("NFD", line))
        out.append(unicodedata.normalize("NFKC", line))
        out.append(rng.choice(PREFIXES) + line + rng.choice(SUFFIXES))
        out.append(line.replace(" ", "  "))
        out.append(line.replace(" ", "\t"))
        out.append(line.replace(" ", "\n"))
        out.append(line + "\n" + rng.choice(BASE))
        out.append(rng.choice(BASE) + " " + line)
    return out


def sentences(rng, n):
    out = []
    for _ in range(n):
        words = [rng.choice(WORDS) for _ in range(rng.randint(1, 20))]
        for i in range(len(words)):
            r = rng.random()
            if r < 0.1:
                words[i] = words[i].capitalize()
            elif r < 0.15:
                words[i] = words[i].upper()
            elif r < 0.2:
                words[i] += rng.choice(["'s", "'S", "'ll", "'LL", "'re", "'Re", "'d", "'D", "'ve", "'m", "'t"])
            elif r < 0.25:
                words[i] = str(rng.randint(0, 10 ** rng.randint(1, 9)))
        sep = rng.choice([" ", " ", " ", "  ", "\t", "\n", ", ", " - "])
        out.append(sep.join(words) + rng.choice(SUFFIXES))
    return out


def assigned_chars():
    """Code points assigned in Unicode 14 (Python 3.11's table), by block of interest."""
    ranges = [
        (0x20, 0x7E), (0xA0, 0x24F), (0x300, 0x36F), (0x370, 0x3FF), (0x400, 0x4FF), (0x590, 0x5FF),
        (0x600, 0x6FF), (0x900, 0x97F), (0xE00, 0xE7F), (0x1100, 0x11FF), (0x1E00, 0x1EFF),
        (0x2000, 0x206F), (0x20A0, 0x20CF), (0x2100, 0x214F), (0x2190, 0x23FF), (0x2460, 0x24FF),
        (0x2500, 0x27BF), (0x3000, 0x30FF), (0x3400, 0x3500), (0x4E00, 0x4F80), (0xAC00, 0xAD00),
        (0xFB00, 0xFB4F), (0xFE00, 0xFE0F), (0xFF00, 0xFFEF), (0x1D400, 0x1D7FF), (0x1F300, 0x1F64F),
        (0x1F680, 0x1F6FF), (0x1F900, 0x1F9FF), (0x20000, 0x20100),
    ]
    chars = []
    for lo, hi in ranges:
        for cp in range(lo, hi + 1):
            c = chr(cp)
            if unicodedata.category(c) not in ("Cn", "Cs", "Co"):
                chars.append(c)
    return chars


def random_mixtures(rng, n):
    chars = assigned_chars()
    ws = [" ", " ", " ", "\t", "\n", "\r\n", "\u00a0", "\u3000"]
    out = []
    for _ in range(n):
        parts = []
        for _ in range(rng.randint(1, 12)):
            r = rng.random()
            if r < 0.5:
                parts.append("".join(rng.choice(chars) for _ in range(rng.randint(1, 8))))
            elif r < 0.7:
                parts.append(rng.choice(WORDS))
            elif r < 0.85:
                parts.append("".join(rng.choice(ws) for _ in range(rng.randint(1, 4))))
            else:
                parts.append(rng.choice(["'s", "'T", "'rE", "123", "4567", "!?", "<|im_end|>", "<|eot_id|>", "...", "'"]))
        out.append("".join(parts))
    return out


def long_lines():
    """A few long pre-tokens: BPE on thousands of symbols, never cached."""
    rng = random.Random(7)
    b64 = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"
    cjk = "的一是不了人我在有他这中大来上国个到说们为子和你地出道也时年得就那要下以生会自着去之过家学对可她里后小么心多天而能好都然没日于起还发成事只作当想看文无开手十用主行方又如前所本见经头面公同三已老从动两长知民样现分将外但身些与高意进把法此实回二理美点月明其种声全工己话儿者向情部正名定女问力机给等几很业最间新什打便位因重被走电四第门相次东政海口使教西再平真听世气信北少关并内加化由却代军产入先山五太水万市眼体别处总才场师书比住员九笑性通目华报立马命张活难神数件安表原车白应路期叫死常提感金何更反合放做系计或司利受光王果亲界及今京务制解各任至清物台象记边共风战干接它许八特觉望直服毛林题建南度统色字请交爱让认算论百吃义科怎元社术结六功指思非流每青管夫连远资队跟带花快条院变联言权往展该领传近留红治决周保达办运武半候七必城父强步完革深区即求品士转量空甚众技轻程告江语英基派满式李息写呢识极令黄德收脸钱党倒未持取设始版双历越史商千片容研像找友孩站广改议形委早房音火际则首单据导影失拿网香似斯专石若兵弟谁校读志飞观争究包组造落视济喜离虽坏兴切"
    return [
        "".join(rng.choice(b64) for _ in range(4000)),
        "".join(rng.choice(cjk) for _ in range(2000)),
        " " * 1000 + "word" + "\t" * 300 + "\n" * 300 + "end",
        "".join(rng.choice("😀😃🎉👍🏽❤️🇺🇸✨🔥💯") for _ in range(1500)),
        "Donaudampfschifffahrtselektrizitätenhauptbetriebswerkbauunterbeamtengesellschaft" * 20,
        "ab" * 3000,
        "1234567890" * 300,
        "".join(rng.choice(["'s", "'S", "'", "s", "'ll", "x"]) for _ in range(2000)),
    ]


def hh_prompts(path, limit):
    out = []
    with gzip.open(path, "rt", encoding="utf-8") as f:
        for line in f:
            chosen = json.loads(line)["chosen"]
            start = chosen.find("Human:")
            end = chosen.find("\n\nAssistant:", start)
            if start < 0 or end < 0:
                continue
            out.append(chosen[start + len("Human:"):end].strip())
            if len(out) >= limit:
                break
    return out


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--hh", default=str(HERE.parents[2] / "shared" / "data" / "hh-rlhf-harmless-test.jsonl.gz"))
    ap.add_argument("--hh-count", type=int, default=600)
    ap.add_argument("--out", default=str(HERE / "corpus.jsonl"))
    args = ap.parse_args()

    rng = random.Random(20250321)
    lines = list(BASE)
    lines += variants(rng)
    lines += sentences(rng, 500)
    lines += random_mixtures(rng, 400)
    lines += hh_prompts(args.hh, args.hh_count)
    lines += long_lines()

    seen = set()
    unique = []
    for s in lines:
        if s not in seen:
            seen.add(s)
            unique.append(s)
    with open(args.out, "w", encoding="utf-8") as f:
        for s in unique:
            text = json.dumps(s, ensure_ascii=False)
            # Keep characters that some line readers treat as line breaks escaped.
            for c in ("\u0085", "\u2028", "\u2029"):
                text = text.replace(c, "\\u%04x" % ord(c))
            f.write(text + "\n")
    print(f"{len(unique)} lines -> {args.out}")


if __name__ == "__main__":
    main()
