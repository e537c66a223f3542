import type { RegisterCommand } from '../context.js';
import { validateCommand } from './validate.js';
import { verticalsCommand } from './verticals.js';

/** Every CLI command, one file each; add yours here. */
export const commands: RegisterCommand[] = [
  validateCommand,
  verticalsCommand,
];
