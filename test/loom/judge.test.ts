import { promises as fsp } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import {
  CheckerLoadError,
  containsMatch,
  DatasetError,
  exactMatch,
  extractAnswer,
  judge,
  loadChecker,
  normaliseAnswer,
  parseQaJsonl,
  withAliases,
} from '../../src/loom/judge';

describe('normaliseAnswer', () => {
  test.each([
    ['The Meditations', 'meditations'],
    ['  OSLEN. ', 'oslen'],
    ['La Haye-en-Touraine', 'la haye en touraine'],
    ['La Flèche', 'la fleche'],
    ['Descartes\u2019 dream', 'descartes dream'],
    ['an apple a day', 'apple day'],
    ['1,637', '1637'],
    ['1, 2', '1 2'],
    ['Theatre', 'theatre'], // "the" only as a whole word
  ])('%j → %j', (input, expected) => {
    expect(normaliseAnswer(input)).toBe(expected);
  });
});

describe('checkers', () => {
  test('exact match after normalisation, any accepted answer', () => {
    expect(exactMatch.check('the Latin.', ['Latin'])).toBe(true);
    expect(exactMatch.check('Thomas Hobbes', ['Hobbes', 'Thomas Hobbes'])).toBe(true);
    expect(exactMatch.check('Hobbes was English', ['Hobbes'])).toBe(false);
    expect(exactMatch.check('', [''])).toBe(false); // an empty answer never counts
  });
  test('contains matches whole words only', () => {
    expect(containsMatch.check('It was Hobbes, I think', ['Hobbes'])).toBe(true);
    expect(containsMatch.check('Hobbesian', ['Hobbes'])).toBe(false);
    expect(containsMatch.check('in 1641 at Paris', ['1641'])).toBe(true);
  });
  test('alias tables widen the accepted answers both ways', () => {
    const c = withAliases(exactMatch, { 'Elisabeth of Bohemia': ['Princess Elisabeth', 'Elizabeth'] });
    expect(c.check('Elizabeth', ['Elisabeth of Bohemia'])).toBe(true);
    expect(c.check('Elisabeth of Bohemia', ['princess elisabeth'])).toBe(true);
    expect(c.check('Christina', ['Elisabeth of Bohemia'])).toBe(false);
    expect(c.name).toBe('exact+aliases');
  });
});

describe('judge', () => {
  test('judges the first line of the continuation', async () => {
    expect(extractAnswer(' Oslen\nQuestion: What is the capital of Dorn?')).toBe('Oslen');
    expect(extractAnswer('\n\nAnswer: Latin')).toBe('Latin');
    await expect(judge(' Oslen.\nQuestion: next', { answers: ['Oslen'] })).resolves.toEqual({ correct: true, answer: 'Oslen.' });
    await expect(judge(' Varnia', { answers: ['Oslen'] })).resolves.toMatchObject({ correct: false });
  });
});

describe('loadChecker', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await fsp.mkdtemp(path.join(os.tmpdir(), 'cogito-judge-'));
    await fsp.writeFile(path.join(dir, 'fn.js'), 'module.exports = (p, answers) => answers.includes(p.toUpperCase());\n');
    await fsp.writeFile(path.join(dir, 'obj.js'), "exports.checker = { name: 'len', check: (p) => p.length === 3 };\n");
    await fsp.writeFile(path.join(dir, 'none.js'), 'exports.x = 1;\n');
  });
  afterAll(async () => {
    await fsp.rm(dir, { recursive: true, force: true });
  });
  test('built-ins by name', () => {
    expect(loadChecker('exact')).toBe(exactMatch);
    expect(loadChecker('contains')).toBe(containsMatch);
  });
  test('a module exporting a function or a checker object', async () => {
    const fn = loadChecker('fn.js', dir);
    expect(await fn.check('abc', ['ABC'])).toBe(true);
    expect(await fn.check('abd', ['ABC'])).toBe(false);
    const obj = loadChecker(path.join(dir, 'obj.js'));
    expect(obj.name).toBe('len');
    expect(await obj.check('xyz', [])).toBe(true);
  });
  test('clear errors for a missing module or one without a check', () => {
    expect(() => loadChecker('nope.js', dir)).toThrow(CheckerLoadError);
    expect(() => loadChecker('nope.js', dir)).toThrow(/neither a built-in \(exact, contains\)/);
    expect(() => loadChecker('none.js', dir)).toThrow(/exports no check function/);
  });
});

describe('parseQaJsonl', () => {
  test('reads items, skipping blank lines', () => {
    const items = parseQaJsonl('{"question":"Q1?","answers":["a","b"],"bucket":"rare"}\n\n{"question":"Q2?","answer":"c"}\n');
    expect(items).toEqual([
      { question: 'Q1?', answers: ['a', 'b'], bucket: 'rare' },
      { question: 'Q2?', answers: ['c'] },
    ]);
  });
  test.each([
    ['{"question":"Q?","answers":["a"]}\n{oops', /qa\.jsonl:2: not valid JSON/],
    ['{"question":"","answers":["a"]}', /qa\.jsonl:1: "question"/],
    ['{"question":"Q?","answers":[]}', /qa\.jsonl:1: "answers"/],
    ['{"question":"Q?","answers":["a"],"bucket":3}', /"bucket" must be a string/],
    ['[1]', /expected a JSON object/],
    ['\n\n', /qa\.jsonl: no questions/],
  ])('bad input %#', (text, message) => {
    expect(() => parseQaJsonl(text, 'qa.jsonl')).toThrow(DatasetError);
    expect(() => parseQaJsonl(text, 'qa.jsonl')).toThrow(message);
  });
});
