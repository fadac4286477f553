import { InvalidArgumentError } from 'commander';

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
