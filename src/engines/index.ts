/** Model-side engines. */
export * from './emulator/index.js';
