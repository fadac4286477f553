/**
 * Answer correctness for collect and eval: is the base model's answer one of the accepted
 * answers? Normalised exact match by default, a word-sequence "contains" match, alias
 * tables, and any checker a user plugs in from a module.
 */
import * as path from 'node:path';
import { CogitoError } from '../util/errors';

/** One question of a QA dataset (`{"question", "answers": [...]}` per JSONL line). */
export interface QaItem {
  question: string;
  /** Accepted answers; the first is the canonical one, the rest are aliases. */
  answers: string[];
  /** Frequency bucket or any other grouping the report breaks accuracy down by. */
  bucket?: string;
  id?: string;
}

export interface AnswerChecker {
  readonly name: string;
  check(prediction: string, answers: readonly string[]): boolean | Promise<boolean>;
}

export interface Judgement {
  correct: boolean;
  /** The answer span that was judged (see extractAnswer). */
  answer: string;
}

export class DatasetError extends CogitoError {
  constructor(
    message: string,
    readonly source: string,
    readonly line: number | null,
  ) {
    super(`${source}${line === null ? '' : `:${line}`}: ${message}`, 'INVALID_DATASET');
  }
}

export class CheckerLoadError extends CogitoError {
  constructor(message: string) {
    super(message, 'CHECKER_LOAD');
  }
}

const ARTICLES = /\b(a|an|the)\b/g;

/**
 * Lower case, no accents, no punctuation, no English articles, single spaces. Punctuation
 * becomes a space (so "La Haye-en-Touraine" matches "la haye en touraine"), except
 * thousands separators inside numbers ("1,637" → "1637").
 */
export function normaliseAnswer(text: string): string {
  return text
    .normalize('NFKD')
    .replace(/\p{M}/gu, '')
    .toLowerCase()
    .replace(/(\d),(?=\d{3}(?!\d))/g, '$1')
    .replace(/[\p{P}\p{S}]/gu, ' ')
    .replace(ARTICLES, ' ')
    .replace(/\s+/g, ' ')
    .trim();
}

/**
 * The answer span of a generated continuation: its first non-empty line, without an
 * echoed "Answer:"/"A:" label. Generation after the answer (a new "Question:") is cut.
 */
export function extractAnswer(generated: string): string {
  const line = generated.split(/\r?\n/).find((l) => l.trim().length > 0) ?? '';
  return line.replace(/^\s*(answer|a)\s*:\s*/i, '').trim();
}

/** Normalised exact match against any accepted answer. */
export const exactMatch: AnswerChecker = {
  name: 'exact',
  check(prediction, answers) {
    const p = normaliseAnswer(prediction);
    return p.length > 0 && answers.some((a) => normaliseAnswer(a) === p);
  },
};

/** An accepted answer appears in the prediction as a whole-word sequence (for chatty models). */
export const containsMatch: AnswerChecker = {
  name: 'contains',
  check(prediction, answers) {
    const p = ` ${normaliseAnswer(prediction)} `;
    return answers.some((a) => {
      const n = normaliseAnswer(a);
      return n.length > 0 && p.includes(` ${n} `);
    });
  },
};

export const BUILTIN_CHECKERS: Readonly<Record<string, AnswerChecker>> = { exact: exactMatch, contains: containsMatch };

/**
 * Widens the accepted answers with an alias table (keys and aliases compared normalised),
 * e.g. { "Elisabeth of Bohemia": ["Princess Elisabeth", "Elizabeth"] }.
 */
export function withAliases(checker: AnswerChecker, aliases: Readonly<Record<string, readonly string[]>>): AnswerChecker {
  const table = new Map<string, string[]>();
  for (const [key, list] of Object.entries(aliases)) {
    const group = [key, ...list];
    for (const name of group) {
      const k = normaliseAnswer(name);
      table.set(k, [...(table.get(k) ?? []), ...group]);
    }
  }
  return {
    name: `${checker.name}+aliases`,
    check(prediction, answers) {
      const widened = new Set<string>(answers);
      for (const a of answers) for (const alias of table.get(normaliseAnswer(a)) ?? []) widened.add(alias);
      return checker.check(prediction, [...widened]);
    },
  };
}

/** Judges a generated continuation against a dataset item. */
export async function judge(generated: string, item: Pick<QaItem, 'answers'>, checker: AnswerChecker = exactMatch): Promise<Judgement> {
  const answer = extractAnswer(generated);
  return { correct: Boolean(await checker.check(answer, item.answers)), answer };
}

/**
 * A checker by name ('exact', 'contains') or from a module path exporting a checker object
 * (`default` or `checker`) or a plain function `(prediction, answers) => boolean`.
 */
export function loadChecker(spec: string, cwd = process.cwd()): AnswerChecker {
  const builtin = BUILTIN_CHECKERS[spec];
  if (builtin) return builtin;
  const file = path.resolve(cwd, spec);
  let mod: unknown;
  try {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    mod = require(file);
  } catch (err) {
    throw new CheckerLoadError(
      `checker ${spec} is neither a built-in (${Object.keys(BUILTIN_CHECKERS).join(', ')}) nor a loadable module: ${(err as Error).message}`,
    );
  }
  const m = mod as Record<string, unknown>;
  const candidate = m?.checker ?? m?.default ?? mod;
  if (typeof candidate === 'function') {
    const fn = candidate as (p: string, a: readonly string[]) => boolean | Promise<boolean>;
    return { name: path.basename(file), check: (p, a) => fn(p, a) };
  }
  if (typeof (candidate as AnswerChecker | undefined)?.check === 'function') {
    const c = candidate as AnswerChecker;
    return { name: typeof c.name === 'string' && c.name ? c.name : path.basename(file), check: (p, a) => c.check(p, a) };
  }
  throw new CheckerLoadError(`checker module ${spec} exports no check function (export \`checker\`, \`default\` or a function)`);
}

/** Parses a QA JSONL dataset; every bad line is reported with its line number. */
export function parseQaJsonl(text: string, source = 'dataset'): QaItem[] {
  const items: QaItem[] = [];
  text.split('\n').forEach((raw, i) => {
    const line = raw.trim();
    if (line.length === 0) return;
    let v: unknown;
    try {
      v = JSON.parse(line);
    } catch (err) {
      throw new DatasetError(`not valid JSON (${(err as Error).message})`, source, i + 1);
    }
    const o = v as Record<string, unknown>;
    if (typeof o !== 'object' || o === null || Array.isArray(o)) throw new DatasetError('expected a JSON object', source, i + 1);
    if (typeof o.question !== 'string' || o.question.trim() === '') throw new DatasetError('"question" must be a non-empty string', source, i + 1);
    const answers = o.answers ?? (typeof o.answer === 'string' ? [o.answer] : undefined);
    if (!Array.isArray(answers) || answers.length === 0 || !answers.every((a) => typeof a === 'string' && a.trim() !== '')) {
      throw new DatasetError('"answers" must be a non-empty array of non-empty strings', source, i + 1);
    }
    const item: QaItem = { question: o.question, answers: answers as string[] };
    if (o.bucket !== undefined) {
      if (typeof o.bucket !== 'string') throw new DatasetError('"bucket" must be a string', source, i + 1);
      item.bucket = o.bucket;
    }
    if (o.id !== undefined) {
      if (typeof o.id !== 'string') throw new DatasetError('"id" must be a string', source, i + 1);
      item.id = o.id;
    }
    items.push(item);
  });
  if (items.length === 0) throw new DatasetError('no questions', source, null);
  return items;
}
