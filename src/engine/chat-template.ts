/**
 * A model's chat template: how a conversation becomes the prompt text it was trained on.
 *
 * Three sources, first found wins: a template named by the caller (`template` option,
 * `--chat-template`), the model's own plain declaration in its metadata (`cogito.chat_template`,
 * rendered here), and its `tokenizer.chat_template` (rendered by llama.cpp's
 * `llama_chat_apply_template`, which knows the built-in names below and recognises common Jinja
 * templates by their markers; it does not run Jinja). Everything is checked here before the
 * addon sees it: messages, template strings, the plain declaration.
 */
import { ChatTemplateError, InvalidOptionError, nativeSync } from './errors';
import type { Model } from './model';

export type ChatRole = 'system' | 'user' | 'assistant';

export interface ChatMessage {
  role: ChatRole;
  content: string;
}

/** A message as callers hand it in (from JSON, say): checked by validateChatMessages before use. */
export interface ChatMessageInput {
  role: string;
  content: string;
}

export const CHAT_ROLES: readonly ChatRole[] = ['system', 'user', 'assistant'];

/**
 * llama.cpp's built-in template names (`llama_chat_builtin_templates`, src/llama-chat.cpp of the
 * bundled source; test/engine/chat-template.test.ts checks the list against it).
 */
export const BUILTIN_CHAT_TEMPLATES: readonly string[] = [
  'chatml', 'llama2', 'llama2-sys', 'llama2-sys-bos', 'llama2-sys-strip', 'mistral-v1', 'mistral-v3', 'mistral-v3-tekken',
  'mistral-v7', 'mistral-v7-tekken', 'phi3', 'phi4', 'falcon3', 'zephyr', 'monarch', 'gemma', 'orion', 'openchat', 'vicuna',
  'vicuna-orca', 'deepseek', 'deepseek2', 'deepseek3', 'deepseek-ocr', 'command-r', 'llama3', 'chatglm3', 'chatglm4', 'glmedge',
  'minicpm', 'exaone3', 'exaone4', 'exaone-moe', 'rwkv-world', 'granite', 'granite-4.0', 'granite-4.1', 'gigachat', 'megrez',
  'yandex', 'bailing', 'bailing-think', 'bailing2', 'llama4', 'smolvlm', 'hunyuan-moe', 'gpt-oss', 'hunyuan-dense', 'hunyuan-vl',
  'kimi-k2', 'seed_oss', 'grok-2', 'pangu-embedded', 'solar-open',
];

/** The GGUF key a model trained on a plain prompt format declares it under (a JSON string, see PlainChatTemplate). */
export const PLAIN_CHAT_TEMPLATE_KEY = 'cogito.chat_template';

export interface PlainChatRole {
  /** Text before the message's content. */
  prefix: string;
  /** Text after it. */
  suffix: string;
}

/**
 * A prompt format without markup: each message is its role's prefix, its content and its suffix,
 * in order; the model's turn opens with `generation`. A role left out has no place in the format
 * (a message with it is refused).
 */
export interface PlainChatTemplate {
  user: PlainChatRole;
  assistant: PlainChatRole;
  system?: PlainChatRole;
  /** What opens the model's turn (default: the assistant's prefix). */
  generation?: string;
  /** Where the model's turn ends when it does not end it itself: generation stops before these. */
  stop?: string[];
}

/** A template as a caller names it: a built-in name, a Jinja template, or a plain template (an object or its JSON). */
export type ChatTemplateSpec = string | PlainChatTemplate;

export type ChatTemplateSource = 'option' | typeof PLAIN_CHAT_TEMPLATE_KEY | 'tokenizer.chat_template';

const CHOOSE = `choose one with --chat-template (the template option): a built-in name (${BUILTIN_CHAT_TEMPLATES.join(', ')}), a Jinja template llama.cpp recognises, or a plain template as JSON ({"user":{"prefix","suffix"},"assistant":{"prefix","suffix"}})`;

/** Checks a conversation before it reaches the addon; returns it as plain {role, content} objects. */
export function validateChatMessages(messages: unknown): ChatMessage[] {
  if (!Array.isArray(messages)) throw new InvalidOptionError('chat messages must be an array of {role, content}', 'INVALID_CHAT_MESSAGE');
  return messages.map((m: unknown, i) => {
    if (typeof m !== 'object' || m === null || Array.isArray(m)) throw new InvalidOptionError(`chat message ${i} must be an object {role, content}`, 'INVALID_CHAT_MESSAGE');
    const { role, content } = m as { role?: unknown; content?: unknown };
    if (typeof role !== 'string' || !(CHAT_ROLES as readonly string[]).includes(role)) {
      throw new InvalidOptionError(`chat message ${i}: role must be one of ${CHAT_ROLES.join(', ')} (got ${JSON.stringify(role) ?? String(role)})`, 'INVALID_CHAT_MESSAGE');
    }
    return { role: role as ChatRole, content: checkContent(content, `chat message ${i}`) };
  });
}

/** A message's content: a string; NUL would cut it short on its way through C strings. */
export function checkContent(content: unknown, what: string): string {
  if (typeof content !== 'string') throw new InvalidOptionError(`${what}: content must be a string (got ${content === null ? 'null' : typeof content})`, 'INVALID_CHAT_MESSAGE');
  if (content.includes('\0')) throw new InvalidOptionError(`${what}: content must not contain NUL characters`, 'INVALID_CHAT_MESSAGE');
  return content;
}

/** Checks a plain template (an object, or its JSON as stored under cogito.chat_template); `where` names it in errors. */
export function parsePlainChatTemplate(value: unknown, where: string): PlainChatTemplate {
  const bad = (why: string): never => {
    throw new ChatTemplateError(`${where}: ${why}`, 'CHAT_TEMPLATE');
  };
  let v = value;
  if (typeof v === 'string') {
    try {
      v = JSON.parse(v);
    } catch (err) {
      bad(`not JSON (${(err as Error).message})`);
    }
  }
  if (typeof v !== 'object' || v === null || Array.isArray(v)) return bad('a plain chat template is an object');
  const o = v as Record<string, unknown>;
  const known = ['user', 'assistant', 'system', 'generation', 'stop'];
  const unknown = Object.keys(o).filter((k) => !known.includes(k));
  if (unknown.length > 0) bad(`unknown field(s) ${unknown.join(', ')} (a plain chat template has ${known.join(', ')})`);
  const text = (x: unknown, field: string): string => {
    if (typeof x !== 'string') bad(`${field} must be a string`);
    if ((x as string).includes('\0')) bad(`${field} must not contain NUL characters`);
    return x as string;
  };
  const role = (x: unknown, name: string): PlainChatRole => {
    if (typeof x !== 'object' || x === null || Array.isArray(x)) return bad(`${name} must be an object {prefix, suffix}`);
    const r = x as Record<string, unknown>;
    const extra = Object.keys(r).filter((k) => k !== 'prefix' && k !== 'suffix');
    if (extra.length > 0) bad(`${name}: unknown field(s) ${extra.join(', ')}`);
    return { prefix: text(r.prefix, `${name}.prefix`), suffix: text(r.suffix, `${name}.suffix`) };
  };
  const out: PlainChatTemplate = { user: role(o.user, 'user'), assistant: role(o.assistant, 'assistant') };
  if (o.system !== undefined) out.system = role(o.system, 'system');
  if (o.generation !== undefined) out.generation = text(o.generation, 'generation');
  if (o.stop !== undefined) {
    if (!Array.isArray(o.stop)) bad('stop must be an array of strings');
    out.stop = (o.stop as unknown[]).map((s, i) => {
      const t = text(s, `stop[${i}]`);
      if (t === '') bad(`stop[${i}] must not be empty`);
      return t;
    });
  }
  return out;
}

type Renderer = { kind: 'plain'; plain: PlainChatTemplate } | { kind: 'llama.cpp'; text: string };

/** A resolved chat template of one model: renders conversations and turns them into its tokens. */
export class ChatTemplate {
  private constructor(
    private readonly model: Model,
    /** Where the template came from. */
    readonly source: ChatTemplateSource,
    private readonly renderer: Renderer,
  ) {}

  /** The template `spec` names, else the model's own (cogito.chat_template, then tokenizer.chat_template). */
  static forModel(model: Model, spec?: ChatTemplateSpec): ChatTemplate {
    if (spec !== undefined) return ChatTemplate.fromSpec(model, spec);
    const declared = model.declaredChatTemplate;
    if (declared !== undefined) {
      if (declared.type !== 'str') throw new ChatTemplateError(`the model's ${PLAIN_CHAT_TEMPLATE_KEY} is a ${declared.type}, not a JSON string`, 'CHAT_TEMPLATE');
      return new ChatTemplate(model, PLAIN_CHAT_TEMPLATE_KEY, { kind: 'plain', plain: parsePlainChatTemplate(declared.value, `the model's ${PLAIN_CHAT_TEMPLATE_KEY}`) });
    }
    const own = model.info.chatTemplate;
    if (own === null) throw new ChatTemplateError(`this model has no chat template (neither ${PLAIN_CHAT_TEMPLATE_KEY} nor tokenizer.chat_template): ${CHOOSE}`, 'NO_CHAT_TEMPLATE');
    return ChatTemplate.checked(model, 'tokenizer.chat_template', own);
  }

  private static fromSpec(model: Model, spec: ChatTemplateSpec): ChatTemplate {
    if (typeof spec === 'object' && spec !== null) return new ChatTemplate(model, 'option', { kind: 'plain', plain: parsePlainChatTemplate(spec, 'the chat template given') });
    if (typeof spec !== 'string') throw new ChatTemplateError(`a chat template is a string or a plain template object (got ${spec === null ? 'null' : typeof spec})`, 'CHAT_TEMPLATE');
    if (spec.trim() === '') throw new ChatTemplateError(`the chat template given is empty: ${CHOOSE}`, 'CHAT_TEMPLATE');
    if (spec.includes('\0')) throw new ChatTemplateError('the chat template given contains NUL characters', 'CHAT_TEMPLATE');
    // a plain template as JSON (Jinja's "{%"/"{{" never parses as JSON)
    if (spec.trimStart().startsWith('{') && isJsonObject(spec)) {
      return new ChatTemplate(model, 'option', { kind: 'plain', plain: parsePlainChatTemplate(spec, 'the chat template given') });
    }
    return ChatTemplate.checked(model, 'option', spec);
  }

  /** A template llama.cpp renders, tried on one message first so that an unknown one fails here, clearly. */
  private static checked(model: Model, source: ChatTemplateSource, text: string): ChatTemplate {
    const t = new ChatTemplate(model, source, { kind: 'llama.cpp', text });
    try {
      t.render([{ role: 'user', content: 'x' }]);
    } catch (err) {
      if (err instanceof ChatTemplateError && err.code === 'CHAT_TEMPLATE') {
        const what = source === 'option' ? 'the chat template given' : `the model's ${source}`;
        const shown = text.length > 60 ? `${JSON.stringify(text.slice(0, 60))}…` : JSON.stringify(text);
        throw new ChatTemplateError(`llama.cpp cannot render ${what} (${shown}): it is neither a built-in name nor a Jinja template it recognises; ${CHOOSE}`, 'CHAT_TEMPLATE');
      }
      throw err;
    }
    return t;
  }

  /** "plain", a built-in name as given, or "jinja" for a template text llama.cpp recognised. */
  get name(): string {
    if (this.renderer.kind === 'plain') return 'plain';
    return BUILTIN_CHAT_TEMPLATES.includes(this.renderer.text) ? this.renderer.text : 'jinja';
  }

  /** The plain template, when it is one. */
  get plain(): PlainChatTemplate | null {
    return this.renderer.kind === 'plain' ? this.renderer.plain : null;
  }

  /** Strings that end the model's turn (a plain template's `stop`; llama.cpp's templates end turns with an end-of-generation token). */
  get stop(): readonly string[] {
    return this.renderer.kind === 'plain' ? this.renderer.plain.stop ?? [] : [];
  }

  /** The conversation as prompt text; with `addGeneration` (default) it ends where the model's turn begins. */
  render(messages: readonly ChatMessageInput[], options: { addGeneration?: boolean } = {}): string {
    const checked = validateChatMessages(messages);
    const addGeneration = options.addGeneration ?? true;
    if (this.renderer.kind === 'llama.cpp') {
      const text = this.renderer.text;
      return nativeSync(() => this.model.native.applyChatTemplate(checked, addGeneration, text));
    }
    const plain = this.renderer.plain;
    let out = '';
    checked.forEach((m, i) => {
      const role = plain[m.role];
      if (!role) throw new InvalidOptionError(`chat message ${i}: this model's plain chat template has no place for a ${m.role} message (it has ${CHAT_ROLES.filter((r) => plain[r]).join(', ')})`, 'INVALID_CHAT_MESSAGE');
      out += role.prefix + m.content + role.suffix;
    });
    if (addGeneration) out += plain.generation ?? plain.assistant.prefix;
    return out;
  }

  /**
   * The conversation's prompt tokens, BOS included where the vocabulary wants it. llama.cpp's
   * templates write special tokens as text (<|im_start|>): they are read as such. A plain
   * template has none, so nothing in a message can pose as one.
   */
  tokenize(messages: readonly ChatMessageInput[], options: { addGeneration?: boolean } = {}): number[] {
    const text = this.render(messages, options);
    const tokens = this.model.tokenize(text, { addSpecial: true, parseSpecial: this.renderer.kind === 'llama.cpp' });
    // a template that writes the BOS text itself ("<s>") would get a second one from the tokenizer
    const bos = this.model.info.bosToken;
    if (tokens.length > 1 && tokens[0] === bos && tokens[1] === bos) tokens.shift();
    return tokens;
  }
}

function isJsonObject(text: string): boolean {
  try {
    const v: unknown = JSON.parse(text);
    return typeof v === 'object' && v !== null && !Array.isArray(v);
  } catch {
    return false;
  }
}
