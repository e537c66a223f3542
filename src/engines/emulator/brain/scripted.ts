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
  };
}

export class ScriptedBrainSession implements BrainSession {
  private readonly fallback: RulesBrainSession;
  /** Scenario turn each caller input was paired with. */
  private latestTurn = -1;
  private playingTurn = -1;
  private step = 0;

  constructor(private readonly scenario: Scenario) {
    this.fallback = new RulesBrainSession({ transcripts: scenario.turns.map((t) => t.caller) });
  }

  /** The scenario turn now playing (-1: the opening). */
  get turn(): number {
    return this.playingTurn;
  }

  callerInput(input: CallerInput): string | null {
    let turn = Math.max(input.index, this.latestTurn + 1);
    if (input.kind === 'text') {
      // Typed text may skip ahead to the turn it matches.
      const want = normal(input.text);
      const found = this.scenario.turns.findIndex((t, i) => i >= turn && normal(t.caller) === want);
      if (found >= 0) turn = found;
    }
    this.latestTurn = turn;
    const transcript = this.scenario.turns[turn]?.caller ?? null;
    if (input.kind === 'audio') {
      this.fallback.callerInput({ kind: 'text', index: input.index, text: transcript ?? '' });
      return transcript;
    }
    this.fallback.callerInput(input);
    return input.text;
  }

  respond(ctx: BrainTurnContext): BrainReply {
    if (this.latestTurn !== this.playingTurn) {
      this.playingTurn = this.latestTurn;
      this.step = 0;
    }
    const steps = this.playingTurn < 0 ? this.scenario.opening : this.scenario.turns[this.playingTurn]?.agent ?? [];
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
