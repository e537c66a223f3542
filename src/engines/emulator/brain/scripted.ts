/**
 * The scripted brain plays a scenario's model side: caller input N is `turns[N]`, and each
 * response plays the next step of the current turn's script (the opening before any caller
 * input). When the script has nothing left for a response, the rule-based brain answers.
 */
import type { ModelStep, Scenario } from '../../../scenarios/index.js';
import { stepToolCall } from '../../../scenarios/index.js';
import type { BrainReply, BrainSession, BrainTurnContext, CallerInput } from './types.js';
import { RulesBrainSession } from './rules.js';
import { tokens } from './words.js';

const normal = (s: string): string => tokens(s).join(' ');

export function stepReply(step: ModelStep): BrainReply {
  const call = stepToolCall(step);
  return {
    ...(step.say ? { say: step.say } : {}),
    ...(call ? { toolCall: { name: call.name, arguments: JSON.stringify(call.args) } } : {}),
    ...(step.fault ? { fault: step.fault } : {}),
  };
}

/**
 * The scenario turn caller input `index` stands for, after the turn `latestTurn` (-1: none yet):
 * the next turn in order, or, for typed text, the first later turn whose words it matches.
 */
export function pairCallerTurn(scenario: Scenario, index: number, latestTurn: number, text?: string): number {
  const next = Math.max(index, latestTurn + 1);
  if (text === undefined) return next;
  const want = normal(text);
  const found = scenario.turns.findIndex((t, i) => i >= next && normal(t.caller) === want);
  return found >= 0 ? found : next;
}

export class ScriptedBrainSession implements BrainSession {
  private readonly fallback: RulesBrainSession;
  /** Scenario turn each caller input was paired with. */
  private latestTurn = -1;
  private playingTurn = -1;
  private step = 0;
  /** A reconnect: the next turn to play resumes after its first fault (that fault has happened). */
  private resumeAfterFault = false;

  constructor(private readonly scenario: Scenario) {
    this.fallback = new RulesBrainSession({ transcripts: scenario.turns.map((t) => t.caller) });
  }

  /** The scenario turn now playing (-1: the opening). */
  get turn(): number {
    return this.playingTurn;
  }

  callerInput(input: CallerInput): string | null {
    const turn = pairCallerTurn(this.scenario, input.index, this.latestTurn, input.kind === 'text' ? input.text : undefined);
    this.latestTurn = turn;
    const transcript = this.scenario.turns[turn]?.caller ?? null;
    if (input.kind === 'audio') {
      // The caller spoke on this session: it is past the restored turn (a renewal, not a failover).
      this.resumeAfterFault = false;
      this.fallback.callerInput({ kind: 'text', index: input.index, text: transcript ?? '' });
      return transcript;
    }
    this.fallback.callerInput(input);
    return input.text;
  }

  historyRestored(): void {
    this.resumeAfterFault = true;
  }

  respond(ctx: BrainTurnContext): BrainReply {
    if (this.latestTurn !== this.playingTurn || this.resumeAfterFault) {
      this.playingTurn = this.latestTurn;
      this.step = 0;
    }
    const steps = this.playingTurn < 0 ? this.scenario.opening : this.scenario.turns[this.playingTurn]?.agent ?? [];
    if (this.resumeAfterFault) {
      this.resumeAfterFault = false;
      const fault = steps.findIndex((s) => s.fault !== undefined);
      if (fault >= 0) this.step = fault + 1;
    }
    const step = steps[this.step];
    if (step) {
      this.step += 1;
      return stepReply(step);
    }
    return this.fallback.respond(ctx);
  }
}

export const scriptedBrain = {
  kind: 'scripted' as const,
  create: (scenario: Scenario): ScriptedBrainSession => new ScriptedBrainSession(scenario),
};
