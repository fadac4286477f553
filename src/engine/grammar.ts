/**
 * Constrained output: a GBNF grammar, or a JSON Schema that llama.cpp's own converter
 * (common/json-schema-to-grammar.cpp, built into the addon) turns into one. The grammar sampler
 * masks every token that cannot continue the grammar, so a generation that ends by itself
 * (stopReason "eog") matches it; one cut short (maxTokens, a stop string, a full context) is a
 * prefix of a match, and its stopReason says so.
 */
import { InvalidOptionError, nativeSync } from './errors';
import { addon } from './native';

export interface ConstraintOptions {
  /** GBNF grammar (llama.cpp's grammar format) the output must match, from its rule `root`. */
  grammar?: string;
  /** A JSON Schema the output must satisfy; `true` accepts any JSON value. */
  jsonSchema?: JsonSchema;
}

/** A JSON Schema object (draft 2020-12 subset llama.cpp converts), or `true` for any JSON value. */
export type JsonSchema = { [keyword: string]: unknown } | true;

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** GBNF for a JSON Schema (llama.cpp's converter); an unusable schema is an InvalidJsonSchemaError. */
export function jsonSchemaToGrammar(schema: JsonSchema): string {
  if (schema !== true && !isPlainObject(schema)) throw new InvalidOptionError('jsonSchema must be an object (a JSON Schema) or true', 'INVALID_ARGUMENT');
  let text: string;
  try {
    text = JSON.stringify(schema === true ? {} : schema);
  } catch (err) {
    throw new InvalidOptionError(`jsonSchema cannot be serialised as JSON: ${(err as Error).message}`, 'INVALID_ARGUMENT');
  }
  return nativeSync(() => addon().jsonSchemaToGrammar(text));
}

/** The GBNF a generation is constrained by, if any; checks that at most one constraint is given. */
export function constraintGrammar(o: ConstraintOptions): string | undefined {
  if (o.grammar !== undefined && o.jsonSchema !== undefined) throw new InvalidOptionError('give grammar or jsonSchema, not both', 'INVALID_ARGUMENT');
  if (o.grammar !== undefined) {
    if (typeof o.grammar !== 'string') throw new InvalidOptionError('grammar must be a string of GBNF', 'INVALID_ARGUMENT');
    return o.grammar;
  }
  return o.jsonSchema === undefined ? undefined : jsonSchemaToGrammar(o.jsonSchema);
}
