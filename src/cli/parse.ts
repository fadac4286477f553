import { InvalidArgumentError, type Command } from 'commander';
import type { SamplingOptions } from '../engine';

/** Option parsers shared by the commands: reject what is not a number instead of passing NaN on. */
export function parseInteger(value: string, flag: string): number {
  // Number('') is 0: an empty value must not become a zero
  const n = value.trim() === '' ? NaN : Number(value);
  if (!Number.isInteger(n)) throw new InvalidArgumentError(`${flag} expects an integer, got "${value}"`);
  return n;
}

export function parseNumber(value: string, flag: string): number {
  const n = value.trim() === '' ? NaN : Number(value);
  if (!Number.isFinite(n)) throw new InvalidArgumentError(`${flag} expects a number, got "${value}"`);
  return n;
}

export function parseChoice<T extends string>(value: string, flag: string, choices: readonly T[]): T {
  if (!(choices as readonly string[]).includes(value)) throw new InvalidArgumentError(`${flag} expects one of ${choices.join(', ')}, got "${value}"`);
  return value as T;
}

/** The sampling flags the generating commands share (generate, chat), as commander parses them. */
export interface SamplingFlags {
  temperature: number;
  topK?: number;
  topP?: number;
  minP?: number;
  repeatPenalty?: number;
  seed?: number;
}

/** Adds the shared sampling flags to a command. */
export function addSamplingOptions(command: Command): Command {
  return command
    .option('--temperature <t>', '0 is greedy', (v) => parseNumber(v, '--temperature'), 0)
    .option('--top-k <k>', 'top-k sampling', (v) => parseInteger(v, '--top-k'))
    .option('--top-p <p>', 'nucleus sampling', (v) => parseNumber(v, '--top-p'))
    .option('--min-p <p>', 'min-p sampling', (v) => parseNumber(v, '--min-p'))
    .option('--repeat-penalty <r>', 'repetition penalty', (v) => parseNumber(v, '--repeat-penalty'))
    .option('--seed <n>', 'sampling seed', (v) => parseInteger(v, '--seed'));
}

/** The engine's sampling options from the shared flags. */
export function samplingOptions(flags: SamplingFlags): SamplingOptions {
  return { temperature: flags.temperature, topK: flags.topK, topP: flags.topP, minP: flags.minP, repeatPenalty: flags.repeatPenalty, seed: flags.seed };
}
