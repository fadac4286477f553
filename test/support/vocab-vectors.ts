import * as fs from 'node:fs';
import * as path from 'node:path';
import { llamaSource } from './engine';

/** llama.cpp's vocabulary files and their tokenizer test vectors, in the bundled source. */
export const vocabModelsDir = path.join(llamaSource, 'models');

/** One vocabulary's test vectors (.inp/.out), split as llama.cpp's tests/test-tokenizer-0.cpp splits them. */
export function readVocabVectors(vocabFile: string): { text: string; tokens: number[] }[] {
  const raw = fs.readFileSync(path.join(vocabModelsDir, `${vocabFile}.inp`), 'utf8');
  const outLines = fs.readFileSync(path.join(vocabModelsDir, `${vocabFile}.out`), 'utf8').split('\n');
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
  if (inputs.length !== outLines.length) throw new Error(`${vocabFile}: ${inputs.length} inputs, ${outLines.length} outputs`);
  return inputs.map((text, i) => ({ text, tokens: outLines[i].trim() === '' ? [] : outLines[i].trim().split(' ').map(Number) }));
}
