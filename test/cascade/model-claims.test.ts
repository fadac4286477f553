// A chat model's own claim extraction: JSON constrained by the claims schema through llama.cpp's
// grammar sampler, and the fallback (null) whenever the reply is not a usable list of claims.
// The default model is no chat model: under a chat template it writes schema-shaped JSON that runs
// past its token budget or invents its claims, which is exactly the case the fallback is for.
import { loadModel, jsonSchemaToGrammar, type Model, type Context } from '../../src/engine';
import { CLAIMS_SCHEMA, modelClaimExtractor } from '../../src/cascade/model-claims';
import { repoRoot } from '../support/engine';
import * as path from 'node:path';

let model: Model;
let context: Context;
beforeAll(async () => {
  model = await loadModel(path.join(repoRoot, 'models', 'default.gguf'));
  context = await model.createContext({ threads: 1, contextSize: 512, onWarning: () => undefined });
});
afterAll(async () => {
  await context?.dispose();
  await model?.dispose();
});

test('the schema is one llama.cpp turns into a grammar, and the constrained reply is schema-shaped JSON', async () => {
  expect(jsonSchemaToGrammar(CLAIMS_SCHEMA)).toMatch(/root ::=/);
  const template = model.chatTemplate('chatml');
  const r = await context.complete(template.tokenize([{ role: 'user', content: 'Lana plays the bell.' }]), { maxTokens: 48, temperature: 0, jsonSchema: CLAIMS_SCHEMA });
  expect(r.text.replace(/\s+/g, '')).toMatch(/^\{"claims":\[\{"text":/);
});

test('a reply cut short, or a prompt that does not fit, gives null: the rule-based splitter takes over', async () => {
  const template = model.chatTemplate('chatml');
  expect(await modelClaimExtractor(context, template, 24)('What instrument does Lana play?', 'Lana plays the bell.')).toBeNull();
  const small = await model.createContext({ threads: 1, contextSize: 64 });
  try {
    expect(await modelClaimExtractor(small, template, 24)('What instrument does Lana play?', 'Lana plays the bell.')).toBeNull();
  } finally {
    await small.dispose();
  }
});
