import * as fs from 'node:fs';
import { FORMAT_TABLE } from '../../src/sidecar/format-table';
import { ENCODER_TYPES, SIDECAR_KEYS, SIDECAR_VERSIONS, createSidecar, tensorSpecs, writeSidecar, readSidecar } from '../../src/sidecar';
import { fakeBase, tempDir } from './helpers';
import * as path from 'node:path';

// eslint-disable-next-line @typescript-eslint/no-require-imports
const generator = require('../../scripts/gen-sidecar-format.js') as { generated(): Record<string, string>; readTable(): unknown };

/**
 * One table (sidecars/format.json) defines the sidecar format's keys, types and tensor shapes;
 * the TypeScript module and the native header are generated from it. Both must be current, and
 * the two interpreters of the table (format.ts and sidecar_format.cpp) must agree on every layout.
 */
test('the generated TypeScript and C++ views of format.json are current', () => {
  for (const [file, text] of Object.entries(generator.generated())) {
    expect({ file, text: fs.readFileSync(file, 'utf8') }).toEqual({ file, text });
  }
  expect(FORMAT_TABLE).toEqual(generator.readTable());
});

test('the library takes its keys from the table', () => {
  expect(Object.values(SIDECAR_KEYS)).toEqual(Object.values(FORMAT_TABLE.keys).map((k) => k.key));
});

test('the native loader requires exactly the tensors format.ts lists, for every version and encoder', async () => {
  const { dir, cleanup } = tempDir();
  try {
    for (const version of SIDECAR_VERSIONS) {
      for (const encoder of ENCODER_TYPES) {
        const s = createSidecar(fakeBase(), { version, encoder, targetLayers: [1, 2, 3], injectLayers: [2, 3], bottleneck: 4, heads: 2, seed: 5 });
        const file = path.join(dir, `${version}-${encoder}.gguf`);
        await writeSidecar(file, s);
        const read = await readSidecar(file);
        // readSidecar returns what the native loader holds, in its order and shapes
        expect([...read.tensors].map(([name, t]) => ({ name, shape: t.shape }))).toEqual(tensorSpecs(s.config));
        expect(read.config).toEqual(s.config);
      }
    }
  } finally {
    cleanup();
  }
});
