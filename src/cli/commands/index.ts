import type { RegisterCommand } from '../context.js';

/** Every CLI command, one file each; add yours here. */
export const commands: RegisterCommand[] = [];
