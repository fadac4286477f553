'use strict';
// The layers of src/ (docs/architecture.md) and the one direction imports may point.
// `npm run lint` runs this: an import from a lower layer to a higher one fails.
//
//   util ← engine ← sidecar ← loom
//   util ← logic, vks, corpus ← claims ← cascade (also on sidecar) ← meta (also on loom)
//   convert on engine; serve on engine, sidecar and cascade; cli and src/index.ts on everything.

/** What each folder may import besides itself: its whole foundation, not only the layer under it. */
const ALLOWED = {
  util: [],
  engine: ['util'],
  sidecar: ['util', 'engine'],
  loom: ['util', 'engine', 'sidecar'],
  logic: ['util'],
  vks: ['util'],
  corpus: ['util'],
  claims: ['util', 'logic', 'vks', 'corpus'],
  cascade: ['util', 'engine', 'sidecar', 'logic', 'vks', 'corpus', 'claims'],
  meta: ['util', 'engine', 'sidecar', 'loom', 'logic', 'vks', 'corpus', 'claims', 'cascade'],
  serve: ['util', 'engine', 'sidecar', 'logic', 'vks', 'corpus', 'claims', 'cascade'],
  convert: ['util', 'engine'],
};

const layerRules = Object.entries(ALLOWED).map(([layer, below]) => ({
  name: `layer-${layer}`,
  comment: `src/${layer} may import only ${below.length ? below.map((l) => `src/${l}`).join(', ') : 'nothing else in src'} (docs/architecture.md)`,
  severity: 'error',
  from: { path: `^src/${layer}/` },
  to: { path: '^src/', pathNot: [`^src/(${[layer, ...below].join('|')})/`] },
}));

module.exports = {
  forbidden: [
    ...layerRules,
    {
      name: 'only-engine-loads-the-addon',
      comment: 'the native addon has one seam: src/engine wraps it with typed interfaces and typed errors',
      severity: 'error',
      from: { path: '^src/', pathNot: '^src/engine/' },
      to: { path: '^src/engine/native\\.ts$' },
    },
    {
      name: 'no-circular',
      comment: 'a cycle of imports, within a folder or between folders (a type-only import runs nothing, so it may close one)',
      severity: 'error',
      from: {},
      to: { circular: true, viaOnly: { dependencyTypesNot: ['type-only'] } },
    },
    {
      name: 'not-to-unresolvable',
      comment: 'an import that does not resolve',
      severity: 'error',
      from: {},
      to: { couldNotResolve: true },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    exclude: { path: '^(dist|build|build-[^/]+|node_modules)/' },
  },
};
