// Vks.invalidated: lookups skip invalidated records; this finds the one that stated a claim, with its reason.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { Vks } from '../../src/vks';
import { tempDir } from '../support/engine';

test('an invalidated claim is found by its exact text with the reason; a live one is not', () => {
  const vks = Vks.open(':memory:');
  try {
    const a = vks.add({ tier: 'FACTUAL', text: 'The capital of Uten is Borl.', status: 'VERIFIED', method: 'CORPUS' });
    const b = vks.add({ tier: 'DERIVED', text: 'Borl is a city.', status: 'VERIFIED', method: 'Z3', dependsOn: [a.id] });
    expect(vks.invalidated('the capital of Uten is Borl')).toBeNull();
    vks.invalidate(a.id, 'the passage was withdrawn');
    expect(vks.lookup('The capital of Uten is Borl.')).toBeNull();
    expect(vks.invalidated('The capital of  Uten is Borl.')).toMatchObject({ record: { id: a.id, status: 'INVALIDATED' }, reason: 'the passage was withdrawn' });
    expect(vks.invalidated('Borl is a city.')).toMatchObject({ record: { id: b.id }, reason: `depends on ${a.id}: the passage was withdrawn` });
    expect(vks.invalidated('The capital of Uten is Paris.')).toBeNull();
  } finally {
    vks.close();
  }
});

test('a file that is not SQLite is a VKS_SCHEMA error naming it, not a bare SQLite error', () => {
  const dir = tempDir('cogito-vks-notadb-');
  const file = path.join(dir, 'vks.db');
  fs.writeFileSync(file, 'plain text, not a database, long enough to fill a header page of SQLite........');
  try {
    expect(() => Vks.open(file)).toThrow(expect.objectContaining({ code: 'VKS_SCHEMA', message: expect.stringContaining(`${file}: VKS schema version (none): not an SQLite database`) }));
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
