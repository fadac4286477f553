// Chat templates: the default model's declared format, llama.cpp's own renderings, and the errors.
import * as fs from 'node:fs';
import * as path from 'node:path';
import {
  BUILTIN_CHAT_TEMPLATES, ChatTemplateError, CogitoError, InvalidOptionError, loadModel, PLAIN_CHAT_TEMPLATE_KEY, readGguf, type Model,
} from '../../src/engine';
import { DEFAULT_CHAT_TEMPLATE, formatPrompt } from '../../models/recipe';
import { declareChatTemplate } from '../../models/recipe/metadata';
import { llamaSource, repoRoot, smallModel, tempDir } from '../support/engine';

const DEFAULT_MODEL = path.join(repoRoot, 'models', 'default.gguf');

// llama.cpp's own reference vectors (tests/test-chat-template.cpp of the bundled source)
const CONVERSATION = [
  { role: 'system', content: 'You are a helpful assistant' },
  { role: 'user', content: 'Hello' },
  { role: 'assistant', content: 'Hi there' },
  { role: 'user', content: 'Who are you' },
  { role: 'assistant', content: '   I am an assistant   ' },
  { role: 'user', content: 'Another question' },
];
const REFERENCE = [
  {
    name: 'chatml',
    jinja: "{% for message in messages %}{{'<|im_start|>' + message['role'] + '\\n' + message['content'] + '<|im_end|>' + '\\n'}}{% endfor %}{% if add_generation_prompt %}{{ '<|im_start|>assistant\\n' }}{% endif %}",
    expected: '<|im_start|>system\nYou are a helpful assistant<|im_end|>\n<|im_start|>user\nHello<|im_end|>\n<|im_start|>assistant\nHi there<|im_end|>\n<|im_start|>user\nWho are you<|im_end|>\n<|im_start|>assistant\n   I am an assistant   <|im_end|>\n<|im_start|>user\nAnother question<|im_end|>\n<|im_start|>assistant\n',
  },
  {
    name: 'llama3',
    jinja: "{% set loop_messages = messages %}{% for message in loop_messages %}{% set content = '<|start_header_id|>' + message['role'] + '<|end_header_id|>\n\n'+ message['content'] | trim + '<|eot_id|>' %}{% if loop.index0 == 0 %}{% set content = bos_token + content %}{% endif %}{{ content }}{% endfor %}{{ '<|start_header_id|>assistant<|end_header_id|>\n\n' }}",
    expected: '<|start_header_id|>system<|end_header_id|>\n\nYou are a helpful assistant<|eot_id|><|start_header_id|>user<|end_header_id|>\n\nHello<|eot_id|><|start_header_id|>assistant<|end_header_id|>\n\nHi there<|eot_id|><|start_header_id|>user<|end_header_id|>\n\nWho are you<|eot_id|><|start_header_id|>assistant<|end_header_id|>\n\nI am an assistant<|eot_id|><|start_header_id|>user<|end_header_id|>\n\nAnother question<|eot_id|><|start_header_id|>assistant<|end_header_id|>\n\n',
  },
];

let model: Model;
let plainModel: Model;

beforeAll(async () => {
  model = await loadModel(DEFAULT_MODEL);
  plainModel = await loadModel(await smallModel());
}, 120_000);

afterAll(async () => {
  await model.dispose();
  await plainModel.dispose();
});

function codeOf(run: () => unknown): string | undefined {
  try {
    run();
  } catch (err) {
    if (err instanceof CogitoError) return err.code;
    throw err;
  }
  return undefined;
}

describe('the default model declares the format it was trained on', () => {
  test('its metadata holds the plain template, and a question renders as the training prompt', async () => {
    const meta = (await readGguf(DEFAULT_MODEL, { maxArray: 0 })).metadata;
    expect(JSON.parse(meta[PLAIN_CHAT_TEMPLATE_KEY].value as string)).toEqual(DEFAULT_CHAT_TEMPLATE);
    expect(meta['tokenizer.chat_template']).toBeUndefined();
    const template = model.chatTemplate();
    expect(template.source).toBe(PLAIN_CHAT_TEMPLATE_KEY);
    expect(template.name).toBe('plain');
    const questions = fs.readFileSync(path.join(repoRoot, 'models', 'default.heldout.jsonl'), 'utf8').trim().split('\n').slice(0, 20)
      .map((l) => (JSON.parse(l) as { question: string }).question);
    for (const q of questions) {
      expect(template.render([{ role: 'user', content: q }])).toBe(formatPrompt(q));
      expect(template.tokenize([{ role: 'user', content: q }])).toEqual(model.tokenize(formatPrompt(q)));
      expect(model.applyChatTemplate([{ role: 'user', content: q }])).toBe(formatPrompt(q));
    }
    // a later turn follows the reply on a new line; the model's turn opens with "Answer:"
    expect(template.render([{ role: 'user', content: 'A?' }, { role: 'assistant', content: ' x' }, { role: 'user', content: 'B?' }]))
      .toBe('Question: A?\nAnswer: x\nQuestion: B?\nAnswer:');
    expect(template.stop).toEqual(['\n']);
  });
});

describe('the recipe writes the declaration, every tensor byte kept', () => {
  test('declaring it again on the shipped q8_0 model gives the same file; on an f32 model the tensors stay as they were', async () => {
    const dir = tempDir('cogito-declare-');
    try {
      const copy = path.join(dir, 'default.gguf');
      fs.copyFileSync(DEFAULT_MODEL, copy);
      await declareChatTemplate(copy, DEFAULT_CHAT_TEMPLATE, { threads: 1 });
      expect(fs.readFileSync(copy).equals(fs.readFileSync(DEFAULT_MODEL))).toBe(true);

      const f32 = path.join(dir, 'small.gguf');
      fs.copyFileSync(await smallModel(), f32);
      const before = await loadModel(f32);
      const fingerprint = before.info.fingerprint;
      await before.dispose();
      await declareChatTemplate(f32, DEFAULT_CHAT_TEMPLATE);
      const after = await loadModel(f32);
      try {
        expect(after.info.fingerprint).toBe(fingerprint);
        expect(after.chatTemplate().render([{ role: 'user', content: 'Who?' }])).toBe(formatPrompt('Who?'));
      } finally {
        await after.dispose();
      }
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe("llama.cpp's templates", () => {
  test.each(REFERENCE)('$name renders as llama.cpp renders it, by name and as its Jinja text', ({ name, jinja, expected }) => {
    expect(model.chatTemplate(name).render(CONVERSATION)).toBe(expected);
    const detected = model.chatTemplate(jinja);
    expect(detected.name).toBe('jinja');
    expect(detected.render(CONVERSATION)).toBe(expected);
    // special tokens written by the template are read as special tokens
    const tokens = model.chatTemplate(name).tokenize([{ role: 'user', content: 'Hello' }]);
    expect(tokens).toEqual(model.tokenize(model.chatTemplate(name).render([{ role: 'user', content: 'Hello' }]), { parseSpecial: true }));
  });

  test('the built-in names are the bundled llama.cpp\'s, and each renders', () => {
    const source = fs.readFileSync(path.join(llamaSource, 'src', 'llama-chat.cpp'), 'utf8');
    const table = /LLM_CHAT_TEMPLATES = \{([\s\S]*?)\n\};/.exec(source);
    expect(table).not.toBeNull();
    const names = [...table![1].matchAll(/\{\s*"([^"]+)",\s*LLM_CHAT_TEMPLATE_/g)].map((m) => m[1]);
    expect([...BUILTIN_CHAT_TEMPLATES].sort()).toEqual(names.sort());
    for (const name of BUILTIN_CHAT_TEMPLATES) {
      expect(model.chatTemplate(name).render([{ role: 'user', content: 'Hello' }]).length).toBeGreaterThan(0);
    }
  });

  test('the model\'s own tokenizer.chat_template is used when it has one, and an override wins over a declaration', () => {
    expect(model.chatTemplate('chatml').source).toBe('option');
    expect(model.applyChatTemplate([{ role: 'user', content: 'Hi' }], { template: 'chatml' })).toBe('<|im_start|>user\nHi<|im_end|>\n<|im_start|>assistant\n');
  });
});

describe('a template that cannot be rendered is a clear error', () => {
  test('an unknown name or Jinja text names the built-in templates to choose from', () => {
    for (const t of ['no-such-template', '{% for m in messages %}{{ m.content }}{% endfor %}']) {
      let err: unknown;
      try {
        model.chatTemplate(t);
      } catch (e) {
        err = e;
      }
      expect(err).toBeInstanceOf(ChatTemplateError);
      expect((err as ChatTemplateError).code).toBe('CHAT_TEMPLATE');
      expect((err as Error).message).toMatch(/llama\.cpp cannot render the chat template given/);
      expect((err as Error).message).toMatch(/--chat-template/);
      expect((err as Error).message).toContain('chatml, llama2');
      expect((err as Error).message).toContain('llama3');
    }
    expect(codeOf(() => model.chatTemplate(''))).toBe('CHAT_TEMPLATE');
    expect(codeOf(() => model.chatTemplate('chat\0ml'))).toBe('CHAT_TEMPLATE');
  });

  test('a model with no template of either kind says so, and how to name one', () => {
    let err: unknown;
    try {
      plainModel.chatTemplate();
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(ChatTemplateError);
    expect((err as ChatTemplateError).code).toBe('NO_CHAT_TEMPLATE');
    expect((err as Error).message).toMatch(/no chat template .*cogito\.chat_template.*tokenizer\.chat_template.*--chat-template/);
    // native's own codes arrive as the same class
    expect(codeOf(() => plainModel.applyChatTemplate([{ role: 'user', content: 'x' }]))).toBe('NO_CHAT_TEMPLATE');
  });

  test.each([
    ['not JSON', '{"user": '],
    ['not an object', [1, 2]],
    ['no user role', { assistant: { prefix: 'A:', suffix: '\n' } }],
    ['no assistant role', { user: { prefix: 'Q:', suffix: '\n' } }],
    ['a role without suffix', { user: { prefix: 'Q:' }, assistant: { prefix: 'A:', suffix: '' } }],
    ['a number for a prefix', { user: { prefix: 1, suffix: '' }, assistant: { prefix: 'A:', suffix: '' } }],
    ['an unknown field', { user: { prefix: 'Q:', suffix: '' }, assistant: { prefix: 'A:', suffix: '' }, tool: {} }],
    ['an unknown role field', { user: { prefix: 'Q:', suffix: '', bos: true }, assistant: { prefix: 'A:', suffix: '' } }],
    ['stop not an array', { user: { prefix: 'Q:', suffix: '' }, assistant: { prefix: 'A:', suffix: '' }, stop: '\n' }],
    ['an empty stop string', { user: { prefix: 'Q:', suffix: '' }, assistant: { prefix: 'A:', suffix: '' }, stop: [''] }],
    ['a NUL in a prefix', { user: { prefix: 'Q\0', suffix: '' }, assistant: { prefix: 'A:', suffix: '' } }],
  ])('a malformed plain template is refused: %s', (_, spec) => {
    const given = typeof spec === 'string' ? spec : JSON.stringify(spec);
    // as JSON text (what --chat-template and the metadata carry) and, where it is one, as an object
    expect(codeOf(() => model.chatTemplate(given))).toBe('CHAT_TEMPLATE');
    if (typeof spec === 'object' && !Array.isArray(spec)) expect(codeOf(() => model.chatTemplate(spec as never))).toBe('CHAT_TEMPLATE');
  });

  test('a plain template given as JSON text renders', () => {
    const t = model.chatTemplate('{"user":{"prefix":"U: ","suffix":"\\n"},"assistant":{"prefix":"A:","suffix":"\\n"},"generation":"A: "}');
    expect(t.render([{ role: 'user', content: 'hi' }])).toBe('U: hi\nA: ');
    expect(t.name).toBe('plain');
  });
});

describe('messages are checked before native code sees them', () => {
  test.each([
    ['not an array', 'hello'],
    ['null entry', [null]],
    ['an array entry', [['user', 'x']]],
    ['an unknown role', [{ role: 'tool', content: 'x' }]],
    ['a numeric role', [{ role: 1, content: 'x' }]],
    ['a missing role', [{ content: 'x' }]],
    ['numeric content', [{ role: 'user', content: 42 }]],
    ['null content', [{ role: 'user', content: null }]],
    ['array content', [{ role: 'user', content: [{ type: 'text', text: 'x' }] }]],
    ['a NUL in content', [{ role: 'user', content: 'a\0b' }]],
  ])('%s → INVALID_CHAT_MESSAGE', (_, messages) => {
    for (const template of ['chatml', undefined]) {
      let err: unknown;
      try {
        model.applyChatTemplate(messages as never, { template });
      } catch (e) {
        err = e;
      }
      expect(err).toBeInstanceOf(InvalidOptionError);
      expect((err as InvalidOptionError).code).toBe('INVALID_CHAT_MESSAGE');
    }
  });

  test('a role the plain template has no place for is refused', () => {
    const noSystem = model.chatTemplate({ user: { prefix: 'Q: ', suffix: '\n' }, assistant: { prefix: 'A:', suffix: '\n' } });
    expect(() => noSystem.render([{ role: 'system', content: 'be brief' }, { role: 'user', content: 'x' }])).toThrow(/no place for a system message/);
    expect(codeOf(() => noSystem.render([{ role: 'system', content: 'be brief' }]))).toBe('INVALID_CHAT_MESSAGE');
  });
});
