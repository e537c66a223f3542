import type { RegisterCommand } from '../context.js';
import { validateCommand } from './validate.js';
import { verticalsCommand } from './verticals.js';

/** Every CLI command, one file each; add yours here. */
export const commands: RegisterCommand[] = [
  validateCommand,
  verticalsCommand,
];

// Post-call analysis commands and the `calls show` analysis section (analysis engineer).
import { jobsCommand } from './jobs.js';
import { workerCommand } from './worker.js';
import { callAnalysisSection } from './callAnalysis.js';
import { callShowSections } from './calls.js';
commands.push(workerCommand, jobsCommand);
callShowSections.push(callAnalysisSection);
