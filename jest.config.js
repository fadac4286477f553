/** @type {import('jest').Config} */
module.exports = {
  testEnvironment: 'node',
  roots: ['<rootDir>/test'],
  testMatch: ['**/*.test.ts'],
  // test/vulkan needs the Vulkan build beside the CPU one: its own run, npm run test:vulkan (docs/gpu.md)
  testPathIgnorePatterns: ['/node_modules/', '<rootDir>/test/vulkan/'],
  transform: { '^.+\\.ts$': ['ts-jest', { tsconfig: 'tsconfig.json' }] },
  // Native work and solver calls are slow on 2 cores; each test sets its own tighter bound where it matters.
  testTimeout: 120000,
  // dist/ for the CLI tests, built once before any test file starts (test/support/global-setup.js)
  globalSetup: '<rootDir>/test/support/global-setup.js',
  maxWorkers: 2,
  reporters: ['default', '<rootDir>/test/support/summary-reporter.js'],
};
