// Constrained output through llama.cpp's grammar sampler: GBNF grammars and JSON Schemas (by
// llama.cpp's converter), on the trained default model and on a model with random weights, where
// nothing but the grammar keeps the output in shape. Every output is checked with ajv.
import Ajv from 'ajv';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import {
  CogitoError, InvalidGrammarError, InvalidJsonSchemaError, InvalidOptionError, jsonSchemaToGrammar, loadModel, type Context, type GenerateOptions, type Model,
} from '../../src/engine';
import { readConstraint } from '../../src/cli/commands/generate';
import { repoRoot, smallModel, tempDir } from '../support/engine';

/** Strings, integers, an enum and an array, all required; bounded, so a complete output has an end. */
const personSchema = {
  type: 'object',
  properties: {
    name: { type: 'string', minLength: 1, maxLength: 10 },
    age: { type: 'integer', minimum: 0, maximum: 150 },
    role: { enum: ['admin', 'user', 'guest'] },
    tags: { type: 'array', items: { type: 'string', maxLength: 5 }, minItems: 1, maxItems: 3 },
  },
  required: ['name', 'age', 'role', 'tags'],
  additionalProperties: false,
};
const yesNo = 'root ::= "yes" | "no"';
const prompts = ['Question: What is the capital of France?\nAnswer:', 'The record of the new user:', 'Hello'];
// enough for the longest output the schema allows, token by token
const maxTokens = 200;

const ajv = new Ajv({ allErrors: true });
const validPerson = ajv.compile(personSchema);

function parsesAsPerson(text: string): { parsed: boolean; valid: boolean; errors: string } {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return { parsed: false, valid: false, errors: text };
  }
  const valid = validPerson(value) as boolean;
  return { parsed: true, valid, errors: ajv.errorsText(validPerson.errors) };
}

const models: [string, () => Promise<string>][] = [
  ['the default model', async () => path.join(repoRoot, 'models', 'default.gguf')],
  ['a model with random weights', smallModel],
];

describe.each(models)('on %s', (_name, modelFile) => {
  let model: Model;
  let ctx: Context;

  beforeAll(async () => {
    model = await loadModel(await modelFile());
    // past the default model's 32 trained positions: the warning says so, and the grammar holds regardless
    ctx = await model.createContext({ contextSize: 512, onWarning: () => undefined });
  });
  afterAll(async () => {
    await ctx.dispose();
    await model.dispose();
  });

  const runs: [string, GenerateOptions][] = [
    ['greedy', { temperature: 0 }],
    ['sampled, seed 1', { temperature: 1, seed: 1 }],
    ['sampled, seed 2', { temperature: 1.5, topK: 0, topP: 1, minP: 0, seed: 2 }],
    ['sampled with a repeat penalty', { temperature: 0.8, seed: 3, repeatPenalty: 1.3 }],
  ];

  it.each(runs)('JSON Schema, %s: every output ends by itself, parses and validates', async (_run, sampling) => {
    for (const prompt of prompts) {
      const r = await ctx.complete(prompt, { ...sampling, jsonSchema: personSchema, maxTokens });
      expect({ prompt, stopReason: r.stopReason }).toEqual({ prompt, stopReason: 'eog' });
      expect({ prompt, check: parsesAsPerson(r.text) }).toEqual({ prompt, check: { parsed: true, valid: true, errors: 'No errors' } });
    }
  });

  it.each(runs)('GBNF, %s: the output is one of the alternatives', async (_run, sampling) => {
    for (const prompt of prompts) {
      const r = await ctx.complete(prompt, { ...sampling, grammar: yesNo, maxTokens: 16 });
      expect({ prompt, stopReason: r.stopReason }).toEqual({ prompt, stopReason: 'eog' });
      expect(['yes', 'no']).toContain(r.text);
    }
  });

  it('greedy picks the most likely token among those the grammar allows', async () => {
    const allowed = new Set(['y', 'ye', 'yes', 'n', 'no']);
    for (const prompt of prompts) {
      const r = await ctx.complete(prompt, { grammar: yesNo, maxTokens: 16, promptLogits: true });
      const logits = r.promptLogits!;
      let best = -1;
      for (let id = 0; id < logits.length; id++) {
        if (allowed.has(new TextDecoder().decode(model.tokenBytes(id))) && (best < 0 || logits[id] > logits[best])) best = id;
      }
      expect({ prompt, first: r.tokens[0].id }).toEqual({ prompt, first: best });
    }
  });

  it('a streamed generation yields the same constrained tokens as complete()', async () => {
    const it = ctx.generate(prompts[0], { jsonSchema: personSchema, maxTokens });
    let streamed = '';
    let r = await it.next();
    for (; !r.done; r = await it.next()) streamed += r.value.text;
    expect(streamed).toBe(r.value.text);
    expect(r.value.text).toBe((await ctx.complete(prompts[0], { jsonSchema: personSchema, maxTokens })).text);
  });

  it('cut short by maxTokens: stopReason says so, and the text is the start of the complete output', async () => {
    const full = await ctx.complete(prompts[1], { jsonSchema: personSchema, maxTokens });
    expect(full.stopReason).toBe('eog');
    const cut = await ctx.complete(prompts[1], { jsonSchema: personSchema, maxTokens: 3 });
    expect(cut.stopReason).toBe('maxTokens');
    expect(cut.tokens).toHaveLength(3);
    expect(full.text.startsWith(cut.text)).toBe(true);
    expect(parsesAsPerson(cut.text).parsed).toBe(false);
  });

  it('jsonSchema true constrains to any JSON value', async () => {
    for (const seed of [1, 2, 3]) {
      const r = await ctx.complete(prompts[2], { jsonSchema: true, temperature: 1, seed, maxTokens: 64 });
      // an unbounded grammar may be cut short; what ended by itself is JSON
      if (r.stopReason === 'eog') expect(() => JSON.parse(r.text)).not.toThrow();
      else expect(r.stopReason).toBe('maxTokens');
    }
  });
});

describe('errors', () => {
  let model: Model;
  let ctx: Context;

  beforeAll(async () => {
    model = await loadModel(await smallModel());
    ctx = await model.createContext({ contextSize: 128 });
  });
  afterAll(async () => {
    await ctx.dispose();
    await model.dispose();
  });

  /** root → r1 → r2 → … → "a": rules that start with another rule, n deep. */
  const chain = (n: number) => Array.from({ length: n }, (_, i) => `${i === 0 ? 'root' : `r${i}`} ::= ${i === n - 1 ? '"a"' : `r${i + 1}`}`).join('\n');
  const nested = (n: number) => `root ::= ${'('.repeat(n)}"a"${')'.repeat(n)}`;

  const badGrammars: [string, string, RegExp][] = [
    ['a syntax error', 'root ::= ("yes"', /^invalid GBNF grammar: expecting '\)' at the end of the grammar$/],
    ['a missing ::=', 'root "yes"', /^invalid GBNF grammar: expecting ::= at '"yes"'$/],
    ['an undefined rule', 'root ::= answer', /^invalid GBNF grammar: undefined rule 'answer'$/],
    ['no root rule', 'answer ::= "yes"', /^invalid GBNF grammar: it has no rule named 'root' to start from$/],
    ['no rules at all', '# only a comment\n', /^invalid GBNF grammar: it has no rules$/],
    ['left recursion', 'root ::= root "a" | "a"', /^invalid GBNF grammar: unsupported grammar, left recursion/],
    // llama.cpp recurses through both: 100,000 nested groups overflowed the stack and killed the process
    ['groups nested 100,000 deep', nested(100_000), /^invalid GBNF grammar: groups nested more than 1000 deep$/],
    ['a chain of 10,001 rules', chain(10_001), /^invalid GBNF grammar: 10001 rules \(repetitions and groups included\), more than 10000$/],
  ];

  it('the bounds on nesting and rules leave room: 1000 nested groups and a chain of 9999 rules work', async () => {
    for (const grammar of [nested(1000), chain(9999)]) expect((await ctx.complete('Hello', { grammar, maxTokens: 4 })).text).toBe('a');
  });

  it.each(badGrammars)('an invalid GBNF grammar (%s) is an InvalidGrammarError, and the context stays usable', async (_what, grammar, message) => {
    const err = await ctx.complete('Hello', { grammar, maxTokens: 4 }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(InvalidGrammarError);
    expect(err).toBeInstanceOf(CogitoError);
    expect(err).toMatchObject({ code: 'INVALID_GRAMMAR', message: expect.stringMatching(message) });
    const after = await ctx.complete('Hello', { grammar: yesNo, maxTokens: 4 });
    expect(['yes', 'no']).toContain(after.text);
    // and an unconstrained generation after it is not constrained by a stale grammar
    expect((await ctx.complete('Hello', { maxTokens: 4 })).stopReason).toBe('maxTokens');
  });

  it('a grammar no token can continue (it needs a NUL, which llama.cpp never lets a token spell) fails with GRAMMAR_DEAD_END, not an abort', async () => {
    for (const grammar of ['root ::= "\\x00"', 'root ::= "a" [\\x00]']) {
      await expect(ctx.complete('Hello', { grammar, maxTokens: 4 })).rejects.toMatchObject({ code: 'GRAMMAR_DEAD_END', message: "no token of the model's vocabulary continues the grammar" });
    }
    expect(['yes', 'no']).toContain((await ctx.complete('Hello', { grammar: yesNo, maxTokens: 4 })).text);
  });

  const badSchemas: [string, unknown, RegExp][] = [
    ['an unresolvable $ref', { $ref: '#/definitions/missing' }, /^invalid JSON schema: .*missing/],
    ['an unknown type', { type: 'thing' }, /^invalid JSON schema: .*thing/],
  ];

  it.each(badSchemas)('a schema the converter cannot use (%s) is an InvalidJsonSchemaError', async (_what, schema, message) => {
    expect(() => jsonSchemaToGrammar(schema as Record<string, unknown>)).toThrow(InvalidJsonSchemaError);
    expect(() => jsonSchemaToGrammar(schema as Record<string, unknown>)).toThrow(message);
    const err = await ctx.complete('Hello', { jsonSchema: schema as Record<string, unknown>, maxTokens: 4 }).catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 'INVALID_JSON_SCHEMA' });
  });

  it('options: a schema that is not an object, or a grammar and a schema together, are refused before anything runs', async () => {
    for (const jsonSchema of [null, [], 'object', 3, false]) {
      await expect(ctx.complete('Hello', { jsonSchema: jsonSchema as unknown as Record<string, unknown> })).rejects.toThrow(new InvalidOptionError('jsonSchema must be an object (a JSON Schema) or true'));
    }
    await expect(ctx.complete('Hello', { grammar: yesNo, jsonSchema: personSchema })).rejects.toThrow(new InvalidOptionError('give grammar or jsonSchema, not both'));
    await expect(ctx.complete('Hello', { grammar: 42 as unknown as string })).rejects.toThrow(new InvalidOptionError('grammar must be a string of GBNF'));
  });

  it('the converter turns a schema into GBNF that starts from root', () => {
    const gbnf = jsonSchemaToGrammar(personSchema);
    expect(gbnf).toMatch(/^root ::= /m);
    expect(gbnf).toContain('"\\"admin\\""');
    expect(jsonSchemaToGrammar(true)).toMatch(/^root ::= /m);
  });
});

describe('cogito generate --grammar / --json-schema files', () => {
  const dir = tempDir('cogito-grammar-');
  const write = (name: string, text: string) => {
    const p = path.join(dir, name);
    fs.writeFileSync(p, text);
    return p;
  };

  it('reads a GBNF file as it is, and converts a JSON Schema file', () => {
    expect(readConstraint({ grammar: write('yn.gbnf', yesNo) })).toBe(yesNo);
    expect(readConstraint({ jsonSchema: write('person.json', JSON.stringify(personSchema)) })).toBe(jsonSchemaToGrammar(personSchema));
    expect(readConstraint({})).toBeUndefined();
  });

  it('clear errors: a missing file, a file that is not JSON, a schema that is not an object, both flags', () => {
    const missing = path.join(dir, 'nope.gbnf');
    expect(() => readConstraint({ grammar: missing })).toThrow(`${missing}: no such file`);
    expect(() => readConstraint({ jsonSchema: write('bad.json', '{"type": ') })).toThrow(expect.objectContaining({ code: 'INVALID_JSON_SCHEMA', message: expect.stringMatching(/^not JSON: /) }));
    expect(() => readConstraint({ jsonSchema: write('list.json', '[1]') })).toThrow(new InvalidJsonSchemaError('a JSON Schema is an object (or true)', 'INVALID_JSON_SCHEMA'));
    expect(() => readConstraint({ grammar: 'a', jsonSchema: 'b' })).toThrow(new InvalidOptionError('--grammar and --json-schema cannot be combined'));
  });

  // the command itself, from the TS sources, as `cogito` runs it
  const CHILD = path.join(__dirname, '..', 'vks', 'support', 'cli-child.js');
  const generate = (...args: string[]) => {
    const r = spawnSync(process.execPath, [CHILD, 'generate', 'Question: Is it so?\nAnswer:', '-m', path.join(repoRoot, 'models', 'default.gguf'), ...args], { encoding: 'utf8', timeout: 120_000 });
    return { code: r.status, out: r.stdout, err: r.stderr };
  };

  it('cogito generate --json-schema prints JSON that validates; cut short, it says so on stderr', () => {
    const schemaFile = write('person-cli.json', JSON.stringify(personSchema));
    const full = generate('--json-schema', schemaFile, '--json', '-n', String(maxTokens));
    expect({ code: full.code, err: full.err }).toEqual({ code: 0, err: expect.not.stringContaining('warning: generation stopped') });
    const out = JSON.parse(full.out) as { text: string; stopReason: string };
    expect(out.stopReason).toBe('eog');
    expect(parsesAsPerson(out.text)).toEqual({ parsed: true, valid: true, errors: 'No errors' });
    const cut = generate('--json-schema', schemaFile, '-n', '3');
    expect(cut.code).toBe(0);
    expect(cut.err).toContain('warning: generation stopped (maxTokens) before the grammar was complete: the output may not parse');
  });

  it('cogito generate --grammar: one of the alternatives; an invalid grammar is one line and exit 1', () => {
    const ok = generate('--grammar', write('yn-cli.gbnf', yesNo), '--temperature', '1', '--seed', '4');
    expect(ok.code).toBe(0);
    expect(ok.out).toMatch(/Answer:(yes|no)\n$/);
    const bad = generate('--grammar', write('bad-cli.gbnf', 'root ::= ("yes"'));
    expect({ code: bad.code, err: bad.err }).toEqual({ code: 1, err: "cogito: invalid GBNF grammar: expecting ')' at the end of the grammar [INVALID_GRAMMAR]\n" });
  });
});
