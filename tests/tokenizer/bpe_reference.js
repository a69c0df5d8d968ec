#!/usr/bin/env node
// Reference ids for tests/core/tst_bpe_trainer.cpp: loads a tokenizer.json +
// tokenizer_config.json written by awb::trainBpeTokenizer with @lenml/tokenizers
// (a port of transformers.js, installed by the tokenizer_reference fixture) and
// encodes stdin, one JSON string per line, to one JSON array of ids per line
// (no special tokens added). The first output line is {"vocab_size": N}.
//
//   node bpe_reference.js NODE_MODULES_DIR TOKENIZER_DIR < lines.jsonl
"use strict";

const fs = require("fs");
const path = require("path");

function main() {
  if (process.argv.length !== 4) throw new Error("usage: bpe_reference.js NODE_MODULES_DIR TOKENIZER_DIR");
  const [modules, dir] = process.argv.slice(2);
  const { TokenizerLoader } = require(path.join(modules, "@lenml/tokenizers"));
  const load = (f) => JSON.parse(fs.readFileSync(path.join(dir, f), "utf8"));
  const tok = TokenizerLoader.fromPreTrained({
    tokenizerJSON: load("tokenizer.json"),
    tokenizerConfig: load("tokenizer_config.json"),
  });
  const out = [JSON.stringify({ vocab_size: Object.keys(load("tokenizer.json").model.vocab).length })];
  for (const line of fs.readFileSync(0, "utf8").split("\n")) {
    if (line.length === 0) continue;
    out.push(JSON.stringify(tok.encode(JSON.parse(line), { add_special_tokens: false })));
  }
  process.stdout.write(out.join("\n") + "\n");
}

try {
  main();
} catch (e) {
  console.error(`bpe_reference.js: ${e.message}`);
  process.exit(1);
}
