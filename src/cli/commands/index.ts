import type { RegisterCommand } from '../context.js';
import { migrateCommand } from './migrate.js';
import { seedCommand } from './seed.js';
import { validateCommand } from './validate.js';
import { verticalsCommand } from './verticals.js';

/** Every CLI command, one file each; add yours here. */
export const commands: RegisterCommand[] = [
  validateCommand,
  verticalsCommand,
  migrateCommand,
  seedCommand,
];

// Runtime commands (telephony/server engineer).
import { callsCommand } from './calls.js';
import { reloadCommand } from './reload.js';
import { simulateCommand } from './simulate.js';
commands.push(callsCommand, reloadCommand, simulateCommand);

// Post-call analysis commands and the `calls show` analysis section (analysis engineer).
import { jobsCommand } from './jobs.js';
import { workerCommand } from './worker.js';
import { callAnalysisSection } from './callAnalysis.js';
import { callShowSections } from './calls.js';
commands.push(workerCommand, jobsCommand);
callShowSections.push(callAnalysisSection);

// The local Realtime emulator (emulator engineer).
import { emulatorCommand } from './emulator.js';
commands.push(emulatorCommand);

// Phone numbers, Twilio onboarding and canaries (issue 16).
import { numbersCommand } from './numbers.js';
import { canaryCommand } from './canary.js';
commands.push(numbersCommand, canaryCommand);

// Analysis re-runs and retention purges (issue 18).
import { analysisCommand } from './analysis.js';
import { purgeCommand } from './purge.js';
import { callRetentionSection } from './callRetention.js';
commands.push(analysisCommand, purgeCommand);
callShowSections.push(callRetentionSection);
// The caller's language and its switches (issue 12).
import { callLanguageSection } from './callLanguage.js';
callShowSections.push(callLanguageSection);
// A fleet of gateways: the instance registry (issue 15).
import { instancesCommand } from './instances.js';
commands.push(instancesCommand);
