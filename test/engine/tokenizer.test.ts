import * as fs from 'node:fs';
import * as path from 'node:path';
import { loadModel } from '../../src/engine';
import { testModel } from '../support/engine';
import { readVocabVectors as readVectors, vocabModelsDir } from '../support/vocab-vectors';

// llama.cpp's own tokenizer vectors: every vocab in the bundled source that ships .inp/.out files.
const modelsDir = vocabModelsDir;
const vocabs = fs.readdirSync(modelsDir)
  .filter((f) => /^ggml-vocab-.*\.gguf$/.test(f))
  .filter((f) => fs.existsSync(path.join(modelsDir, `${f}.inp`)) && fs.existsSync(path.join(modelsDir, `${f}.out`)));

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
