/** The oracle's flags, shared by `cogito ask` and `cogito meta bootstrap`, checked before any model loads. */
import type { Command } from 'commander';
import { createOracle, type OracleStyle } from '../cascade/oracle';
import type { Oracle } from '../cascade';
import { InvalidOptionError } from '../util/errors';
import { parseChoice, parseInteger } from './parse';

export interface OracleFlags {
  oracle?: string;
  oracleApi?: 'ollama' | 'openai';
  oracleModel?: string;
  oracleTimeout?: number;
  oracleStyle?: OracleStyle;
}

export function addOracleOptions(command: Command): Command {
  return command
    .option('--oracle <url>', 'an Ollama- or OpenAI-compatible server consulted last (cogito serve, Ollama, llama-server)')
    .option('--oracle-api <api>', 'the oracle\'s API: ollama or openai', (v) => parseChoice(v, '--oracle-api', ['ollama', 'openai'] as const), 'openai')
    .option('--oracle-model <name>', 'the model the oracle server should answer with (default "default")')
    .option('--oracle-timeout <ms>', 'how long one oracle call may take', (v) => parseInteger(v, '--oracle-timeout'), 30000)
    .option('--oracle-style <style>', 'question: the oracle is asked the question alone (a model of the same world); review: the claim, the evidence and what failed', (v) => parseChoice(v, '--oracle-style', ['question', 'review'] as const), 'question');
}

/** The oracle the flags name, or null. */
export function oracleOf(flags: OracleFlags): Oracle | null {
  if (flags.oracle === undefined) {
    if (flags.oracleModel !== undefined) throw new InvalidOptionError('--oracle-model needs --oracle', 'INVALID_ARGUMENT');
    return null;
  }
  return createOracle({ url: flags.oracle, api: flags.oracleApi ?? 'openai', model: flags.oracleModel ?? 'default', timeoutMs: flags.oracleTimeout, style: flags.oracleStyle });
}
