/**
 * The soak's scripted calls: a calm one, and one per model fault, staged at the caller's second
 * turn; after the failover the call carries on with the same script.
 */
import { FAULT_KINDS, parseScenario, type FaultKind, type Scenario } from '../../src/scenarios/index.js';

const LINES = [
  'Sure, we have openings on Saturday morning at nine and at eleven.',
  'A colour treatment starts at eighty dollars, depending on length.',
  'Of course. I said we have a few openings this week.',
  'Is there anything else I can help you with today?',
];

/** Enough turns for a call of a few minutes; the rule-based brain answers beyond them. */
const TURNS = 24;

function script(name: string, fault?: FaultKind): Scenario {
  const turns: string[] = [];
  for (let i = 0; i < TURNS; i++) {
    turns.push(`  - caller: Turn ${i + 1}.`, '    agent:');
    if (fault && i === 1) turns.push(`      - fault: { kind: ${fault}${fault === 'rate_limit' ? ', retryAfterMs: 500' : ''} }`);
    turns.push(`      - say: ${LINES[i % LINES.length]}`);
  }
  return parseScenario(['opening:', '  - say: Thanks for calling Luna Hair Studio, how can I help you today?', 'turns:', ...turns, ''].join('\n'), { vertical: 'soak', name });
}

export function faultScenarioName(kind: FaultKind): string {
  return `fault-${kind.replace(/_/g, '-')}`;
}

export function soakScenarios(): Scenario[] {
  return [script('calm'), ...FAULT_KINDS.map((k) => script(faultScenarioName(k), k))];
}
