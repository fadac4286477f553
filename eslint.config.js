'use strict';
const tseslint = require('typescript-eslint');

module.exports = tseslint.config(
  // build-*/: GPU, CPU-reference and portable builds beside build/ (COGITO_BUILD_DIR, scripts/gpu-suite.js)
  { ignores: ['dist/**', 'build/**', 'build-*/**', 'node_modules/**', 'test/support/*.js'] },
  ...tseslint.configs.recommended,
  {
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
    },
  },
  {
    // the bin, scripts and benchmarks are plain CommonJS, run by node without a build step
    files: ['**/*.js'],
    rules: { '@typescript-eslint/no-require-imports': 'off' },
  },
);
