export { main, buildProgram } from './main.js';
export * from './context.js';
