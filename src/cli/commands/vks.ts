/** `cogito vks stats|verify|export|import|seed|migrate`: inspect and move a Verified Knowledge Store. */
import type { Command } from 'commander';
import { readFileSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { loadLogicBackend } from '../../claims/logic-backend';
import { DEFAULT_BUSY_TIMEOUT_MS, Vks, VksError, seedVks, type VksExport } from '../../vks';
import { InvalidOptionError } from '../../util/errors';
import { about } from '../errors';
import { printJson } from '../output';

export function defaultVksPath(): string {
  return process.env.COGITO_VKS ?? join(process.env.COGITO_HOME ?? join(homedir(), '.cogito'), 'vks.db');
}

interface StoreFlags {
  db?: string;
  busyTimeout?: string;
}

function busyTimeoutOf(f: StoreFlags): number {
  if (f.busyTimeout === undefined) return DEFAULT_BUSY_TIMEOUT_MS;
  const ms = Number(f.busyTimeout);
  if (!/^\d+$/.test(f.busyTimeout.trim()) || !Number.isSafeInteger(ms) || ms > 0x7fffffff) {
    throw new InvalidOptionError(`--busy-timeout must be a whole number of milliseconds from 0 to ${0x7fffffff}, not "${f.busyTimeout}"`, 'INVALID_ARGUMENT');
  }
  return ms;
}

/** Opens a store; a failure (tampering, a lock, a schema) is reported against the store's path. */
function openStore(f: StoreFlags, readonly: boolean): { store: Vks; path: string } {
  const path = f.db ?? defaultVksPath();
  const busyTimeoutMs = busyTimeoutOf(f);
  return { store: about(path, () => Vks.open(path, { readonly, busyTimeoutMs })), path };
}

/** Runs `fn` on an open store and closes it. */
function withStore<T>(f: StoreFlags, readonly: boolean, fn: (store: Vks, path: string) => T): T {
  const { store, path } = openStore(f, readonly);
  try {
    return about(path, () => fn(store, path));
  } finally {
    store.close();
  }
}

export function register(program: Command): void {
  const vks = program.command('vks').description('the Verified Knowledge Store');
  const dbOption = ['--db <path>', 'store file (default $COGITO_VKS or ~/.cogito/vks.db)'] as const;
  const busyOption = [
    '--busy-timeout <ms>',
    `how long to wait for another process's write lock before failing (default ${DEFAULT_BUSY_TIMEOUT_MS})`,
  ] as const;

  vks
    .command('stats')
    .description('records by tier, status and method, the AXIOM chain head and the record ledger head')
    .option(...dbOption)
    .option(...busyOption)
    .action((f: StoreFlags) => withStore(f, true, (store) => printJson(store.stats())));

  vks
    .command('verify')
    .description(
      'check the whole store in one snapshot: the AXIOM hash chain, the record ledger that seals every record ' +
        'of every tier, each record and its phrasings against its seal, and the dependency and token tables; ' +
        'exit 1 naming the first bad record if it was tampered with',
    )
    .option(...dbOption)
    .option(...busyOption)
    .option(
      '--expect-head <hash>',
      'the guard against truncation: an AXIOM chain head recorded elsewhere earlier, which the chain must ' +
        'still contain (AXIOMs appended since are fine; deleting the newest AXIOMs leaves a valid, shorter ' +
        'chain that only this catches)',
    )
    .option(
      '--expect-ledger-head <hash>',
      'the same guard for every tier: a record ledger head recorded earlier, which the ledger must still ' +
        'contain (catches newest records deleted, an invalidation undone, records rewritten with every hash recomputed)',
    )
    .addHelpText(
      'after',
      '\nA chain proves what it holds, not that nothing was cut off its end. Record the two heads that\n' +
        '`cogito vks verify` (or `vks stats`) prints somewhere the store\'s writers cannot change, and pass\n' +
        'them back later with --expect-head / --expect-ledger-head: verify then fails (TAMPERED, exit 1)\n' +
        'if records written before that point were removed or rewritten.',
    )
    .action((f: StoreFlags & { expectHead?: string; expectLedgerHead?: string }) =>
      withStore(f, true, (store, path) => {
        const report = store.verify({ axiomHead: f.expectHead, ledgerHead: f.expectLedgerHead });
        const pinned = [
          report.expected.axiomAt !== undefined ? `expected AXIOM head at #${report.expected.axiomAt}` : null,
          report.expected.ledgerAt !== undefined ? `expected ledger head at #${report.expected.ledgerAt}` : null,
        ].filter(Boolean);
        process.stdout.write(
          `${path}: ok, ${report.axiomChain.length} AXIOM records, head ${report.axiomChain.head}; ` +
            `${report.records} records sealed by ${report.ledger.length} ledger entries, ledger head ${report.ledger.head}` +
            `${pinned.length ? `; ${pinned.join(', ')}` : ''}\n`,
        );
      }),
    );

  vks
    .command('export')
    .description('write every record as JSON (to stdout, or --out), after a full verify')
    .option(...dbOption)
    .option(...busyOption)
    .option('-o, --out <file>', 'output file')
    .action((f: StoreFlags & { out?: string }) =>
      withStore(f, true, (store) => {
        const data = store.export();
        if (f.out) {
          writeFileSync(f.out, `${JSON.stringify(data, null, 2)}\n`);
          process.stdout.write(`wrote ${data.records.length} records to ${f.out}\n`);
        } else printJson(data);
      }),
    );

  vks
    .command('import')
    .description('add the records of an export (its AXIOM chain is checked first)')
    .argument('<file>', 'a file written by `cogito vks export`')
    .option(...dbOption)
    .option(...busyOption)
    .action((file: string, f: StoreFlags) => {
      let data: VksExport;
      try {
        data = JSON.parse(readFileSync(file, 'utf8')) as VksExport;
      } catch (err) {
        throw new VksError(`${file}: ${(err as Error).message}`);
      }
      // The store verified at open: a chain that fails now is the export's.
      withStore(f, false, (store) => printJson(about(`${file} (the export)`, () => store.import(data))));
    });

  vks
    .command('seed')
    .description('add the seed AXIOMs (the Cogito and its companions) if missing')
    .option(...dbOption)
    .option(...busyOption)
    .action((f: StoreFlags) =>
      withStore(f, false, (store) => {
        // The seeds get canonical formula forms, enabling equivalence lookup.
        const logic = loadLogicBackend();
        const added = seedVks(store, (text) => logic.canonical(text));
        process.stdout.write(`added ${added} seed AXIOMs\n`);
      }),
    );

  vks
    .command('migrate')
    .description(
      'upgrade an older store (schema 1: AXIOM chain only) in place: its chain and tables are checked, ' +
        'then every record is sealed in the record ledger',
    )
    .option(...dbOption)
    .option(...busyOption)
    .action((f: StoreFlags) =>
      withStore(f, false, (store, path) => {
        const report = store.verify();
        process.stdout.write(`${path}: schema current, ${report.records} records sealed, ledger head ${report.ledger.head}\n`);
      }),
    );
}
