import * as fs from 'node:fs';
import * as path from 'node:path';
import { loadModel } from '../../src/engine';
import { llamaSource, testModel } from '../support/engine';

// llama.cpp's own tokenizer vectors: every vocab in the bundled source that ships .inp/.out files.
const modelsDir = path.join(llamaSource, 'models');
const vocabs = fs.readdirSync(modelsDir)
  .filter((f) => /^ggml-vocab-.*\.gguf$/.test(f))
  .filter((f) => fs.existsSync(path.join(modelsDir, `${f}.inp`)) && fs.existsSync(path.join(modelsDir, `${f}.out`)));

/** Same split as llama.cpp's tests/test-tokenizer-0.cpp. */
function readVectors(vocabFile: string): { text: string; tokens: number[] }[] {
  const raw = fs.readFileSync(path.join(modelsDir, `${vocabFile}.inp`), 'utf8');
  const outLines = fs.readFileSync(path.join(modelsDir, `${vocabFile}.out`), 'utf8').split('\n');
  if (outLines[outLines.length - 1] === '') outLines.pop();
  const sep = '\n__ggml_vocab_test__\n';
  const inputs: string[] = [];
  let pos = 0;
  while (pos < raw.length) {
    const next = raw.indexOf(sep, pos);
    if (next < 0) {
      inputs.push(raw.slice(pos));
      break;
    }
    inputs.push(raw.slice(pos, next));
    pos = next + sep.length;
  }
  expect(inputs.length).toBe(outLines.length);
  return inputs.map((text, i) => ({ text, tokens: outLines[i].trim() === '' ? [] : outLines[i].trim().split(' ').map(Number) }));
}

describe('tokenizer matches llama.cpp test vectors', () => {
  it('finds the vocab vectors in the bundled source', () => {
    expect(vocabs.length).toBeGreaterThanOrEqual(10);
  });

  it.each(vocabs)('%s', async (vocabFile) => {
    // a tiny model carrying this vocabulary; the tokenizer is the vocabulary's, not the weights'
    const file = await testModel(`vocab-${vocabFile}`, { vocab: path.join(modelsDir, vocabFile), embeddingSize: 16, layers: 1, heads: 2, feedForwardSize: 32 });
    const model = await loadModel(file);
    try {
      const cases = readVectors(vocabFile);
      expect(cases.length).toBeGreaterThan(10);
      for (const c of cases) {
        expect({ text: c.text, tokens: model.tokenize(c.text, { addSpecial: false }) }).toEqual({ text: c.text, tokens: c.tokens });
      }
    } finally {
      await model.dispose();
    }
  });
});
