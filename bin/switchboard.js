#!/usr/bin/env node
// Runs the TypeScript CLI through tsx so `npx switchboard` works right after `npm install`,
// with no build step.
import { register } from 'tsx/esm/api';

register();
const { main } = await import('../src/cli/main.ts');
const code = await main(process.argv);
if (typeof code === 'number') process.exitCode = code;
