import Database from 'better-sqlite3';
import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Vks, seedVks } from '../../src/vks';
import { tempDir } from './helpers';

function cogito(module: 'vks' | 'corpus', ...args: string[]) {
  const r = spawnSync(process.execPath, [join(__dirname, 'support', 'cli-child.js'), module, ...args], { encoding: 'utf8' });
  return { code: r.status, out: r.stdout, err: r.stderr };
}

describe('cogito vks / corpus CLI', () => {
  let dir: string;
  let cleanup: () => void;
  beforeEach(() => ({ dir, cleanup } = tempDir('cogito-cli-')));
  afterEach(() => cleanup());

  test('seed, stats, verify, export and import round-trip', () => {
    const db = join(dir, 'a.db');
    expect(cogito('vks', 'seed', '--db', db)).toMatchObject({ code: 0, out: expect.stringMatching(/added 3 seed/) });
    expect(cogito('vks', 'seed', '--db', db).out).toMatch(/added 0 seed/);
    const stats = JSON.parse(cogito('vks', 'stats', '--db', db).out);
    expect(stats.byTier.AXIOM).toBe(3);
    const ok = cogito('vks', 'verify', '--db', db);
    expect(ok.code).toBe(0);
    expect(ok.out).toContain(`3 AXIOM records, head ${stats.axiomChain.head}`);
    expect(cogito('vks', 'verify', '--db', db, '--expect-head', 'f'.repeat(64)).code).toBe(1);

    const dump = join(dir, 'dump.json');
    expect(cogito('vks', 'export', '--db', db, '--out', dump).code).toBe(0);
    const b = join(dir, 'b.db');
    const imp = cogito('vks', 'import', dump, '--db', b);
    expect(imp.code).toBe(0);
    expect(JSON.parse(imp.out)).toEqual({ added: 3, skipped: 0, conflicts: [] });
    expect(JSON.parse(cogito('vks', 'stats', '--db', b).out).axiomChain).toEqual(stats.axiomChain);
  });

  test('verify detects a tampered store and names the first bad record', () => {
    const db = join(dir, 't.db');
    const store = Vks.open(db);
    seedVks(store);
    const second = store.stats().axiomChain.length >= 2 ? store.export().records.find((r) => r.seq === 2)! : null;
    store.close();
    const raw = new Database(db);
    raw.exec('DROP TRIGGER axiom_no_update');
    raw.prepare(`UPDATE records SET text = 'I think, therefore I am not.' WHERE seq = 2`).run();
    raw.close();
    const r = cogito('vks', 'verify', '--db', db);
    expect(r.code).toBe(1);
    expect(r.err).toMatch(/TAMPERED/);
    expect(r.err).toContain(`AXIOM #2 (${second!.id})`);
    expect(r.err).toMatch(/hash-mismatch/);
  });

  test('verify covers every tier: a ledger head to pin, a rewritten phrasing caught, an old file migrated', () => {
    const db = join(dir, 'l.db');
    const store = Vks.open(db);
    seedVks(store);
    store.add({ tier: 'DERIVED', text: 'The wax is extended.', status: 'VERIFIED', method: 'Z3' });
    const { ledger } = store.stats();
    store.close();
    const ok = cogito('vks', 'verify', '--db', db);
    expect(ok.code).toBe(0);
    expect(ok.out).toContain(`4 records sealed by 4 ledger entries, ledger head ${ledger.head}`);
    const pinned = cogito('vks', 'verify', '--db', db, '--expect-ledger-head', 'f'.repeat(64));
    expect(pinned.code).toBe(1);
    expect(pinned.err).toContain(`TAMPERED: VKS integrity check failed: ledger-head-mismatch: expected head ${'f'.repeat(64)} is not in the ledger`);

    const raw = new Database(db);
    raw.prepare(`UPDATE phrasings SET normalised = 'the moon is made of cheese' WHERE normalised = 'cogito ergo sum'`).run();
    raw.close();
    const tampered = cogito('vks', 'verify', '--db', db);
    expect(tampered.code).toBe(1);
    expect(tampered.err).toMatch(/TAMPERED: .*record-mismatch/);

    const old = join(dir, 'old.db');
    Vks.open(old).close();
    const oldDb = new Database(old);
    oldDb.exec(`DROP TABLE ledger; DELETE FROM meta WHERE key LIKE 'ledger_%'; UPDATE meta SET value = '1' WHERE key = 'schema_version'`);
    oldDb.close();
    expect(cogito('vks', 'verify', '--db', old).err).toContain(`cogito vks migrate --db ${old}`);
    expect(cogito('vks', 'migrate', '--db', old)).toMatchObject({ code: 0, out: expect.stringContaining('schema current, 0 records sealed') });
  });

  test('import refuses malformed and tampered files', () => {
    const bad = join(dir, 'bad.json');
    writeFileSync(bad, '{ not json');
    expect(cogito('vks', 'import', bad, '--db', join(dir, 'x.db'))).toMatchObject({ code: 1 });
  });

  test('corpus add and search', () => {
    const db = join(dir, 'c.db');
    const s = cogito('corpus', 'search', 'stove', 'heated', 'room', '--db', db, '--json');
    expect(s.code).toBe(0);
    const hits = JSON.parse(s.out);
    expect(hits[0]).toMatchObject({ id: 'disc2-stove', reference: 'Discourse on the Method, Part Two, AT VI 11' });

    const file = join(dir, 'p.jsonl');
    writeFileSync(
      file,
      `${JSON.stringify({ id: 'ep1', work: 'Letters', section: 'To Huygens', atVolume: 'II', atPage: '1', text: 'Telescopes grind lenses hyperbolic.' })}\n`,
    );
    expect(cogito('corpus', 'add', file, '--db', db).out).toMatch(/added 1, replaced 0/);
    expect(cogito('corpus', 'search', 'hyperbolic', 'lenses', '--db', db).out).toContain('[Letters, To Huygens, AT II 1]');

    writeFileSync(file, '{"id": "ep2", "work": "W"}\n');
    const bad = cogito('corpus', 'add', file, '--db', db);
    expect(bad.code).toBe(1);
    expect(bad.err).toMatch(/p\.jsonl:1: "section"/);
  });
});
