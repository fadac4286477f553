/**
 * A small SentencePiece-style vocabulary built from the recipe's own corpus, so that every
 * corpus word is one token. With llama.cpp's 32,000-token test vocabulary the output layer is
 * most of a small model's compute and invented names split into several pieces; with a few
 * thousand tokens the default model trains many times faster and answers in one token.
 *
 * llama.cpp's SPM tokenizer merges adjacent symbols whose concatenation is in the vocabulary,
 * best score first. The vocabulary holds every character of the corpus, the 256 byte-fallback
 * tokens, and every prefix of "▁word" for each corpus word: the only merges possible then grow
 * a word from its left end, so each corpus word becomes exactly one token and anything else
 * falls back to characters or bytes. A possessive ending "'s" is a token of its own.
 */
import { writeGguf, type GgufKeyValue } from '../../src/engine';

const SPACE = '\u2581'; // ▁, SentencePiece's word-start mark

const TYPE_NORMAL = 1;
const TYPE_UNKNOWN = 2;
const TYPE_CONTROL = 3;
const TYPE_BYTE = 6;

export interface WordVocab {
  tokens: string[];
  scores: number[];
  types: number[];
}

/** The vocabulary for a corpus: specials, bytes, characters, then word prefixes. */
export function buildWordVocab(texts: readonly string[]): WordVocab {
  const tokens: string[] = ['<unk>', '<s>', '</s>'];
  const types: number[] = [TYPE_UNKNOWN, TYPE_CONTROL, TYPE_CONTROL];
  for (let b = 0; b < 256; b++) {
    tokens.push(`<0x${b.toString(16).toUpperCase().padStart(2, '0')}>`);
    types.push(TYPE_BYTE);
  }
  const chars = new Set<string>([SPACE]);
  const words = new Set<string>();
  const suffixes = new Set<string>();
  for (const text of texts) {
    for (const ch of text.replace(/\s/g, '')) chars.add(ch);
    for (const raw of text.split(/\s+/)) {
      // punctuation at a word's edges stays its own token ("Stela." → "▁Stela" ".")
      const word = raw.replace(/^[\p{P}\p{S}]+|[\p{P}\p{S}]+$/gu, '');
      // a possessive is the name's own token and "'s": as one word, "Stela's" would be a token
      // that only one question phrasing uses, and a fact asked that way could not be recalled
      const possessive = /^(.+)('s)$/u.exec(word);
      if (possessive) {
        words.add(possessive[1]);
        suffixes.add(possessive[2]);
      } else if (word) {
        words.add(word);
      }
    }
  }
  const seen = new Set(tokens);
  const add = (t: string): void => {
    if (seen.has(t)) return;
    seen.add(t);
    tokens.push(t);
    types.push(TYPE_NORMAL);
  };
  for (const ch of [...chars].sort()) add(ch);
  for (const word of [...words].sort()) {
    const full = SPACE + word;
    const codepoints = [...full];
    for (let k = 2; k <= codepoints.length; k++) add(codepoints.slice(0, k).join(''));
  }
  for (const suffix of [...suffixes].sort()) add(suffix);
  // longer pieces score higher, so a word completes before anything else could claim its letters
  const scores = tokens.map((t, i) => (types[i] === TYPE_NORMAL ? [...t].length : 0));
  return { tokens, scores, types };
}

/** Writes the vocabulary as a GGUF that `makeModel` takes as its tokenizer. */
export function writeWordVocab(file: string, vocab: WordVocab): void {
  const kv: GgufKeyValue[] = [
    { key: 'general.architecture', type: 'string', value: 'llama' },
    { key: 'general.name', type: 'string', value: 'cogito-words' },
    { key: 'tokenizer.ggml.model', type: 'string', value: 'llama' },
    { key: 'tokenizer.ggml.pre', type: 'string', value: 'default' },
    { key: 'tokenizer.ggml.tokens', type: 'string[]', value: vocab.tokens },
    { key: 'tokenizer.ggml.scores', type: 'f32[]', value: vocab.scores },
    { key: 'tokenizer.ggml.token_type', type: 'i32[]', value: vocab.types },
    { key: 'tokenizer.ggml.bos_token_id', type: 'u32', value: 1 },
    { key: 'tokenizer.ggml.eos_token_id', type: 'u32', value: 2 },
    { key: 'tokenizer.ggml.unknown_token_id', type: 'u32', value: 0 },
    { key: 'tokenizer.ggml.add_bos_token', type: 'bool', value: true },
    { key: 'tokenizer.ggml.add_eos_token', type: 'bool', value: false },
  ];
  writeGguf(file, kv, []);
}
