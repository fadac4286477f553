import * as fs from 'node:fs';
import * as path from 'node:path';
import type { GgufKeyValue } from '../engine';
import { CheckpointError, TokenizerNotFoundError } from './errors';
import { TOKEN_TYPE } from './llama2c';
import { kv } from './plan';

export interface HuggingFaceTokenizer {
  /** 'sentencepiece-bpe': BPE over ▁ with byte fallback, as an SPM vocabulary; 'gpt2-bpe': byte-level BPE with merges. */
  kind: 'sentencepiece-bpe' | 'gpt2-bpe';
  metadata: GgufKeyValue[];
}

/** Split patterns of the byte-level pre-tokenizers llama.cpp knows, by its name for them (llama-vocab.cpp). */
const PRE_TOKENIZERS: Record<string, string> = {
  "(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\\r\\n\\p{L}\\p{N}]?\\p{L}+|\\p{N}{1,3}| ?[^\\s\\p{L}\\p{N}]+[\\r\\n]*|\\s*[\\r\\n]+|\\s+(?!\\S)|\\s+": 'llama-bpe',
  "(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\\r\\n\\p{L}\\p{N}]?\\p{L}+|\\p{N}| ?[^\\s\\p{L}\\p{N}]+[\\r\\n]*|\\s*[\\r\\n]+|\\s+(?!\\S)|\\s+": 'qwen2',
};

type Json = Record<string, unknown>;

function isObject(v: unknown): v is Json {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function readJsonFile(file: string): Json {
  let v: unknown;
  try {
    v = JSON.parse(fs.readFileSync(file, 'utf8'));
  } catch (err) {
    throw new CheckpointError(file, undefined, `not readable JSON: ${(err as Error).message}`);
  }
  if (!isObject(v)) throw new CheckpointError(file, undefined, 'not a JSON object');
  return v;
}

/** Every node of a tokenizer.json component (a Sequence's members included). */
function components(node: unknown): Json[] {
  if (!isObject(node)) return [];
  const members = [node.normalizers, node.pretokenizers, node.decoders].find(Array.isArray) as unknown[] | undefined;
  return [node, ...(members ?? []).flatMap(components)];
}

/** A special token named in tokenizer_config.json: a string or {content}. */
function tokenText(v: unknown): string | undefined {
  if (typeof v === 'string') return v;
  if (isObject(v) && typeof v.content === 'string') return v.content;
  return undefined;
}

/**
 * A Hugging Face tokenizer.json (with tokenizer_config.json when present) as llama.cpp vocabulary
 * metadata. The vocabulary is padded to the embedding rows with unused [PADn] tokens, as llama.cpp's
 * converter does; more tokens than rows is an error.
 */
export function readHuggingFaceTokenizer(dir: string, config: Json, vocabSize: number): HuggingFaceTokenizer {
  const file = path.join(dir, 'tokenizer.json');
  if (!fs.existsSync(file)) throw new TokenizerNotFoundError(`${dir}: no tokenizer.json (a tokenizer.model-only folder is not supported; save the tokenizer with a fast tokenizer)`);
  const json = readJsonFile(file);
  const model = json.model;
  if (!isObject(model) || model.type !== 'BPE') throw new CheckpointError(file, undefined, `tokenizer model ${JSON.stringify(isObject(model) ? model.type : model)} is not supported (BPE only)`);
  if (!isObject(model.vocab)) throw new CheckpointError(file, undefined, 'model.vocab is not an object');

  const byId: (string | undefined)[] = [];
  const idOf = new Map<string, number>();
  const put = (text: string, id: unknown): void => {
    if (typeof id !== 'number' || !Number.isSafeInteger(id) || id < 0) throw new CheckpointError(file, undefined, `token ${JSON.stringify(text)} has id ${JSON.stringify(id)}`);
    if (id >= vocabSize) throw new CheckpointError(file, undefined, `token ${JSON.stringify(text)} has id ${id}, but the embeddings have ${vocabSize} rows (vocabulary size disagrees with the embeddings)`);
    byId[id] = text;
    if (!idOf.has(text)) idOf.set(text, id);
  };
  for (const [text, id] of Object.entries(model.vocab)) put(text, id);
  const added = new Map<number, boolean>();
  for (const a of Array.isArray(json.added_tokens) ? json.added_tokens : []) {
    if (!isObject(a) || typeof a.content !== 'string') throw new CheckpointError(file, undefined, 'an added_tokens entry has no content');
    put(a.content, a.id);
    added.set(a.id as number, a.special === true);
  }
  const tokens = Array.from({ length: vocabSize }, (_, i) => byId[i] ?? `[PAD${i}]`);

  const byteFallback = model.byte_fallback === true;
  const parts = [...components(json.normalizer), ...components(json.pre_tokenizer), ...components(json.decoder)];
  const byteLevel = parts.some((p) => p.type === 'ByteLevel');
  if (!byteFallback && !byteLevel) throw new CheckpointError(file, undefined, 'a BPE tokenizer with neither byte fallback (SentencePiece style) nor a ByteLevel pre-tokenizer (GPT-2 style) is not supported');
  const merges = (Array.isArray(model.merges) ? model.merges : []).map((m: unknown) => {
    if (typeof m === 'string') return m;
    if (Array.isArray(m) && m.length === 2 && m.every((x) => typeof x === 'string')) return m.join(' ');
    throw new CheckpointError(file, undefined, `merge ${JSON.stringify(m)} is neither "a b" nor ["a", "b"]`);
  });

  const configFile = path.join(dir, 'tokenizer_config.json');
  const tc = fs.existsSync(configFile) ? readJsonFile(configFile) : {};
  const mapFile = path.join(dir, 'special_tokens_map.json');
  const specialMap = fs.existsSync(mapFile) ? readJsonFile(mapFile) : {};
  const specialId = (role: string, configKey: string): number | undefined => {
    const text = tokenText(tc[`${role}_token`]) ?? tokenText(specialMap[`${role}_token`]);
    if (text !== undefined && idOf.has(text)) return idOf.get(text);
    const id = config[configKey];
    return typeof id === 'number' && Number.isSafeInteger(id) && id >= 0 && id < vocabSize ? id : undefined;
  };

  const unk = specialId('unk', 'unk_token_id');
  const types = tokens.map((text, id) => {
    if (byId[id] === undefined) return TOKEN_TYPE.unused;
    if (added.has(id)) return added.get(id) ? (id === unk ? TOKEN_TYPE.unknown : TOKEN_TYPE.control) : TOKEN_TYPE.userDefined;
    if (id === unk) return TOKEN_TYPE.unknown;
    if (byteFallback && /^<0x[0-9A-Fa-f]{2}>$/.test(text)) return TOKEN_TYPE.byte;
    return TOKEN_TYPE.normal;
  });

  const metadata: GgufKeyValue[] = [];
  let kind: HuggingFaceTokenizer['kind'];
  if (byteFallback) {
    kind = 'sentencepiece-bpe';
    // llama.cpp's SPM tokenizer merges the pair whose result scores highest: score a token by how
    // early BPE makes it, so the first merge wins as in BPE; tokens no merge makes come last
    const scores = tokens.map((_, id) => -(merges.length + id));
    merges.forEach((m: string, rank: number) => {
      const id = idOf.get(m.replace(' ', ''));
      if (id !== undefined && scores[id] < -rank) scores[id] = -rank;
    });
    const prefixSpace = parts.some((p) => (p.type === 'Prepend' && p.prepend === '\u2581') || (p.type === 'Metaspace' && (p.add_prefix_space === true || p.prepend_scheme === 'always' || p.prepend_scheme === 'first')));
    metadata.push(
      kv('tokenizer.ggml.model', 'string', 'llama'),
      kv('tokenizer.ggml.pre', 'string', 'default'),
      kv('tokenizer.ggml.tokens', 'string[]', tokens),
      kv('tokenizer.ggml.scores', 'f32[]', scores),
      kv('tokenizer.ggml.token_type', 'i32[]', types),
      kv('tokenizer.ggml.add_space_prefix', 'bool', prefixSpace),
    );
  } else {
    kind = 'gpt2-bpe';
    const split = parts.find((p) => p.type === 'Split' && isObject(p.pattern) && typeof p.pattern.Regex === 'string');
    const pre = split ? (PRE_TOKENIZERS[(split.pattern as Json).Regex as string] ?? 'default') : 'gpt-2';
    metadata.push(
      kv('tokenizer.ggml.model', 'string', 'gpt2'),
      kv('tokenizer.ggml.pre', 'string', pre),
      kv('tokenizer.ggml.tokens', 'string[]', tokens),
      kv('tokenizer.ggml.token_type', 'i32[]', types),
      kv('tokenizer.ggml.merges', 'string[]', merges),
    );
  }
  const ids: [string, number | undefined][] = [
    ['bos', specialId('bos', 'bos_token_id')], ['eos', specialId('eos', 'eos_token_id')],
    ['unknown', unk], ['padding', specialId('pad', 'pad_token_id')],
  ];
  for (const [name, id] of ids) if (id !== undefined) metadata.push(kv(`tokenizer.ggml.${name}_token_id`, 'u32', id));
  if (typeof tc.add_bos_token === 'boolean') metadata.push(kv('tokenizer.ggml.add_bos_token', 'bool', tc.add_bos_token));
  if (typeof tc.add_eos_token === 'boolean') metadata.push(kv('tokenizer.ggml.add_eos_token', 'bool', tc.add_eos_token));
  const template = Array.isArray(tc.chat_template)
    ? (tc.chat_template.find((t: unknown) => isObject(t) && t.name === 'default') as Json | undefined)?.template
    : tc.chat_template;
  if (typeof template === 'string') metadata.push(kv('tokenizer.chat_template', 'string', template));
  return { kind, metadata };
}
