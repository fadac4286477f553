import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  CogitoError,
  DESCARTES_VOCABULARY,
  InvalidDomainPackError,
  InvalidPassageError,
  loadDomainPack,
  loadPassagesFile,
  parseDomainPack,
} from '../../src/corpus';

const FIXTURE = join(__dirname, 'fixtures', 'world.domain.json');
const CORPUS = join(__dirname, 'fixtures', 'world.corpus.jsonl');

interface FrameJson {
  id: string;
  subjectKind: string | null;
  answerKind: string;
  questions: string[];
  claim: string;
  statements: string[];
  extra?: number;
}
interface PackJson {
  format: string;
  version: number;
  name?: string;
  vocabulary: { people: string[]; kinds: Record<string, string[]> };
  frames: FrameJson[];
}

/** The fixture as plain JSON, to break one field at a time. */
function fixtureJson(): PackJson {
  return JSON.parse(JSON.stringify(loadDomainPack(FIXTURE), (k, v: unknown) => (k === 'origin' ? undefined : v))) as PackJson;
}

describe('domain packs', () => {
  test('the fixture loads: vocabulary with kinds, frames with their templates', () => {
    const pack = loadDomainPack(FIXTURE);
    expect(pack).toMatchObject({ format: 'cogito-domain', version: 1, origin: FIXTURE });
    expect(pack.vocabulary.kinds.instrument).toContain('bell');
    expect(pack.frames.map((f) => f.id)).toContain('descartes:discourse-year');
    expect(pack.frames.find((f) => f.id === 'capital')).toMatchObject({ subjectKind: 'country', answerKind: 'city' });
  });

  test('the Descartes vocabulary is data, with the kinds the verifier checks', () => {
    expect(DESCARTES_VOCABULARY.kinds.language).toContain('Latin');
    expect(DESCARTES_VOCABULARY.kinds.place).toContain('Stockholm');
    expect(DESCARTES_VOCABULARY.people).toContain('arnauld');
  });

  // Each broken pack names the file and the field at fault.
  const broken: Array<[string, (p: PackJson) => void, RegExp]> = [
    ['wrong format', (p) => (p.format = 'other'), /bad\.json: format: must be "cogito-domain"/],
    ['wrong version', (p) => (p.version = 2), /version: must be 1/],
    ['no name', (p) => delete p.name, /name: must be a non-empty string/],
    ['people in capitals', (p) => p.vocabulary.people.push('Kant'), /vocabulary\.people\[5\]: "Kant" must be lower case/],
    ['a kind that is not a list', (p) => ((p.vocabulary.kinds as Record<string, unknown>).city = 'Borl'), /vocabulary\.kinds\.city: must be an array/],
    ['a word listed twice', (p) => p.vocabulary.kinds.city.push('borl'), /vocabulary\.kinds\.city\[5\]: "borl" is listed twice/],
    ['an unknown subject kind', (p) => (p.frames[0].subjectKind = 'planet'), /frames\[0\]\.subjectKind: "planet" is not a kind/],
    ['an unknown answer kind', (p) => (p.frames[1].answerKind = 'colour'), /frames\[1\]\.answerKind: "colour" is not a kind/],
    ['a question without {S}', (p) => (p.frames[0].questions[1] = 'Which city is the capital?'), /frames\[0\]\.questions\[1\]: must hold the subject slot \{S\} exactly once/],
    ['a question with {A}', (p) => (p.frames[0].questions[0] = 'Is {A} the capital of {S}?'), /frames\[0\]\.questions\[0\]: must not hold the answer slot/],
    ['a claim without {A}', (p) => (p.frames[2].claim = 'A river flows through {S}.'), /frames\[2\]\.claim: must hold the answer slot \{A\} exactly once/],
    ['a statement with an unknown slot', (p) => (p.frames[3].statements[0] = '{S} lives in {B}.'), /frames\[3\]\.statements\[0\]: unknown slot \{B\}/],
    ['{S} in a frame without a subject', (p) => (p.frames[6].questions[0] = 'When did {S} appear?'), /frames\[6\]\.questions\[0\]: has a \{S\} slot but the frame has no subjectKind/],
    ['no statements', (p) => (p.frames[4].statements = []), /frames\[4\]\.statements: must not be empty/],
    ['a repeated frame id', (p) => (p.frames[5].id = 'capital'), /frames\[5\]\.id: "capital" is used by an earlier frame/],
    ['an unknown field', (p) => (p.frames[0].extra = 1), /frames\[0\]\.extra: unknown field/],
    ['frames not a list', (p) => ((p as { frames: unknown }).frames = {}), /frames: must be an array/],
  ];
  test.each(broken)('rejects %s', (_what, mutate, message) => {
    const p = fixtureJson();
    mutate(p);
    let err: unknown;
    try {
      parseDomainPack(p, 'bad.json');
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(InvalidDomainPackError);
    expect(err).toBeInstanceOf(CogitoError);
    expect((err as InvalidDomainPackError).code).toBe('INVALID_DOMAIN_PACK');
    expect((err as Error).message).toMatch(/^bad\.json: /);
    expect((err as Error).message).toMatch(message);
  });

  test('a missing file, a file that is not JSON', () => {
    const dir = mkdtempSync(join(tmpdir(), 'cogito-domain-'));
    try {
      expect(() => loadDomainPack(join(dir, 'none.json'))).toThrow(expect.objectContaining({ code: 'NOT_FOUND' }));
      writeFileSync(join(dir, 'x.json'), '{"format": ');
      expect(() => loadDomainPack(join(dir, 'x.json'))).toThrow(/x\.json: not JSON/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('corpus files', () => {
  test('one passage a line, every line checked', () => {
    const passages = loadPassagesFile(CORPUS);
    expect(passages.length).toBe(12);
    expect(passages[0]).toMatchObject({ id: 'world:capital:Uten', kind: 'fact', text: 'The capital of Uten is Borl.' });
  });

  test.each([
    ['{"id":"a","work":"W","section":"S","kind":"fact","text":"T"}\n{"id":"b",\n', /c\.jsonl:2: not JSON/],
    ['{"id":"a","work":"W","section":"S","kind":"fact","text":"T"}\n\n{"id":"b","work":"W","section":"S","kind":"fact","text":""}\n', /c\.jsonl:3: "text" must be a non-empty string/],
    ['{"id":"a","work":"W","section":"S","kind":"fact","text":"T"}\n{"id":"a","work":"W","section":"S","kind":"fact","text":"U"}\n', /c\.jsonl:2: "id" "a" repeats line 1/],
    ['["a"]\n', /c\.jsonl:1: a passage must be a JSON object/],
    ['{"id":"a","work":"W","section":"S","kind":"poem","text":"T"}\n', /c\.jsonl:1: "kind" must be/],
  ])('names the line at fault (%#)', (text, message) => {
    const dir = mkdtempSync(join(tmpdir(), 'cogito-corpus-file-'));
    try {
      writeFileSync(join(dir, 'c.jsonl'), text);
      expect(() => loadPassagesFile(join(dir, 'c.jsonl'))).toThrow(InvalidPassageError);
      expect(() => loadPassagesFile(join(dir, 'c.jsonl'))).toThrow(message);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
