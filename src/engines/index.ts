/** Model-side engines. */
export * from './emulator/index.js';
export * from './openai.js';
export * from './select.js';
