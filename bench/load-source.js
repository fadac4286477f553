'use strict';
const fs = require('node:fs');

/**
 * Loads `src/<rel>.ts` from the TypeScript sources (dev checkout, transpiled on require) or,
 * failing that, `dist/<rel>.js`, so the benchmarks run without a build.
 */
function loadSource(rel) {
  try {
    const ts = require('typescript');
    if (!require.extensions['.ts']) {
      require.extensions['.ts'] = function compileTs(module, filename) {
        const out = ts.transpileModule(fs.readFileSync(filename, 'utf8'), {
          compilerOptions: { module: ts.ModuleKind.CommonJS, target: ts.ScriptTarget.ES2022, esModuleInterop: true },
          fileName: filename,
        });
        module._compile(out.outputText, filename);
      };
    }
    return require(`../src/${rel}.ts`);
  } catch (err) {
    if (err && err.code !== 'MODULE_NOT_FOUND') throw err;
    return require(`../dist/${rel}.js`);
  }
}

module.exports = { loadSource };
