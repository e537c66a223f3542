/** Jest runs the TypeScript sources directly through swc as native ESM. */
export default {
  testEnvironment: 'node',
  extensionsToTreatAsEsm: ['.ts'],
  transform: {
    '^.+\\.ts$': ['@swc/jest', {
      jsc: { parser: { syntax: 'typescript' }, target: 'es2022' },
      module: { type: 'es6' },
    }],
  },
  moduleNameMapper: { '^(\\.{1,2}/.*)\\.js$': '$1' },
  testMatch: ['<rootDir>/test/**/*.test.ts'],
  testTimeout: 30000,
  // Integration suites share one Postgres and one Redis; each isolates itself by schema or queue name.
  // Most suites wait on paced call audio rather than compute (load ~0.6 on 2 cores with 2 workers), so 3 run at once (4 made the in-process WebRTC handshakes flaky).
  maxWorkers: 3,
};
