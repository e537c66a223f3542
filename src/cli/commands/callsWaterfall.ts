/**
 * The latency section of `switchboard calls show`: each turn's stages as a text waterfall, time
 * running from the end of the caller's speech, with the call's latency budget drawn as a line.
 * Built from the stored latency samples and the budget the call ran under (call metadata).
 */
import { z } from 'zod';
import { DEFAULT_LATENCY_BUDGET, STAGE, stageBudgets, type LatencyBudget } from '../../observability/index.js';

export interface WaterfallInput {
  call: { metadata: Record<string, unknown> };
  latency: ReadonlyArray<{ metric: string; valueMs: number; turn: number | null }>;
}

export interface TurnStages {
  turn: number;
  /** Speech end to the first audio frame out; null when the turn got no answer. */
  totalMs: number | null;
  overBudget: boolean;
  transcriptionMs: number | null;
  modelFirstAudioMs: number | null;
  edgeMs: number | null;
  playbackMs: number | null;
  /** Cascade turns: speech end to the text request, to the first text token, to the first TTS audio. */
  textRequestMs: number | null;
  firstTextTokenMs: number | null;
  firstTtsAudioMs: number | null;
  tools: number[];
}

type FirstOnly = 'totalMs' | 'transcriptionMs' | 'modelFirstAudioMs' | 'playbackMs' | 'textRequestMs' | 'firstTextTokenMs' | 'firstTtsAudioMs';
const FIRST: Readonly<Record<string, FirstOnly>> = {
  [STAGE.turn]: 'totalMs', [STAGE.transcription]: 'transcriptionMs', [STAGE.modelFirstAudio]: 'modelFirstAudioMs',
  [STAGE.playback]: 'playbackMs', [STAGE.textRequest]: 'textRequestMs', [STAGE.firstTextToken]: 'firstTextTokenMs',
  [STAGE.firstTtsAudio]: 'firstTtsAudioMs',
};

const budgetSchema = z.object({
  budgetMs: z.number().positive(),
  stages: z.object({ network: z.number(), speechToText: z.number(), firstToken: z.number(), firstTtsFrame: z.number(), edge: z.number() }),
});

/** The budget recorded on the call, else the default. */
export function budgetOf(metadata: Record<string, unknown>): LatencyBudget {
  const parsed = budgetSchema.safeParse(metadata.latencyBudget);
  return parsed.success ? parsed.data : DEFAULT_LATENCY_BUDGET;
}

export function turnStages(input: WaterfallInput, budget: LatencyBudget): TurnStages[] {
  const turns = new Map<number, TurnStages>();
  const first = (t: TurnStages, key: FirstOnly, v: number) => {
    if (t[key] === null) t[key] = v;
  };
  for (const s of input.latency) {
    if (s.turn === null || s.turn < 1) continue;
    let t = turns.get(s.turn);
    if (!t) {
      t = {
        turn: s.turn, totalMs: null, overBudget: false, transcriptionMs: null, modelFirstAudioMs: null, edgeMs: null, playbackMs: null,
        textRequestMs: null, firstTextTokenMs: null, firstTtsAudioMs: null, tools: [],
      };
      turns.set(s.turn, t);
    }
    const key = FIRST[s.metric];
    if (key) first(t, key, s.valueMs);
    else if (s.metric === STAGE.tool) t.tools.push(s.valueMs);
  }
  for (const t of turns.values()) {
    if (t.totalMs !== null && t.modelFirstAudioMs !== null) t.edgeMs = Math.max(0, t.totalMs - t.modelFirstAudioMs);
    t.overBudget = t.totalMs !== null && t.totalMs > budget.budgetMs;
  }
  return [...turns.values()].sort((a, b) => a.turn - b.turn);
}

const WIDTH = 50;
const LABEL = 18;

/** One row: a bar from startMs to endMs on a 0..scaleMs axis, the budget line at its column. */
function bar(startMs: number, endMs: number, scaleMs: number, budgetCol: number): string {
  const from = Math.min(WIDTH - 1, Math.round((startMs / scaleMs) * WIDTH));
  const to = Math.min(WIDTH, Math.max(from + 1, Math.round((endMs / scaleMs) * WIDTH)));
  let out = '';
  for (let col = 0; col < WIDTH; col++) out += col >= from && col < to ? '█' : col === budgetCol ? '│' : ' ';
  return out;
}

const ms = (v: number) => `${Math.round(v)} ms`;

export function formatWaterfall(input: WaterfallInput): string {
  const budget = budgetOf(input.call.metadata);
  const turns = turnStages(input, budget);
  const budgets = stageBudgets(budget);
  const lines = [`  budget ${budget.budgetMs} ms per turn, from the end of the caller's speech to the first audio out`];
  if (turns.length === 0) return `${lines[0]}\n  (no turns)`;
  const longest = Math.max(budget.budgetMs, ...turns.flatMap((t) => [t.totalMs ?? 0, t.transcriptionMs ?? 0]));
  const scaleMs = longest * 1.1;
  const budgetCol = Math.min(WIDTH - 1, Math.round((budget.budgetMs / scaleMs) * WIDTH));
  const row = (label: string, start: number, valueMs: number, budgetMs: number | undefined) => {
    const mark = budgetMs === undefined ? '' : valueMs > budgetMs ? ` ✗ over ${budgetMs}` : ` ✓ ≤ ${budgetMs}`;
    return `    ${label.padEnd(LABEL)}${bar(start, start + valueMs, scaleMs, budgetCol)} ${ms(valueMs)}${mark}`;
  };
  for (const t of turns) {
    const head = t.totalMs === null ? 'no answer' : `${ms(t.totalMs)} ${t.overBudget ? `✗ OVER BUDGET (${budget.budgetMs} ms)` : '✓'}`;
    lines.push(`  turn ${t.turn}  ${head}`);
    if (t.transcriptionMs !== null) lines.push(row('transcription', 0, t.transcriptionMs, budgets[STAGE.transcription]));
    if (t.firstTtsAudioMs !== null) {
      // A cascaded turn: each hop from where the one before it ended.
      const request = t.textRequestMs ?? t.transcriptionMs ?? 0;
      if (t.textRequestMs !== null) lines.push(row('text request', t.transcriptionMs ?? 0, Math.max(0, t.textRequestMs - (t.transcriptionMs ?? 0)), undefined));
      if (t.firstTextTokenMs !== null) lines.push(row('first text token', request, Math.max(0, t.firstTextTokenMs - request), budgets[STAGE.firstTextToken]));
      const token = t.firstTextTokenMs ?? request;
      lines.push(row('first TTS audio', token, Math.max(0, t.firstTtsAudioMs - token), budgets[STAGE.firstTtsAudio]));
    } else if (t.modelFirstAudioMs !== null) {
      lines.push(row('model first audio', 0, t.modelFirstAudioMs, budgets[STAGE.modelFirstAudio]));
    }
    if (t.edgeMs !== null && t.modelFirstAudioMs !== null) lines.push(row('edge', t.modelFirstAudioMs, t.edgeMs, budgets[STAGE.edge]));
    if (t.totalMs !== null) lines.push(row('turn', 0, t.totalMs, budget.budgetMs));
    const extras = [
      ...(t.playbackMs !== null ? [`playback ${ms(t.playbackMs)}`] : []),
      ...(t.tools.length ? [`tools ${t.tools.map(ms).join(', ')}`] : []),
    ];
    if (extras.length) lines.push(`    ${''.padEnd(LABEL)}${extras.join('  ')}`);
  }
  const axis = `0${' '.repeat(Math.max(0, budgetCol - 1))}│ ${budget.budgetMs} ms budget`;
  lines.push(`    ${''.padEnd(LABEL)}${axis}`);
  const over = turns.filter((t) => t.overBudget).length;
  lines.push(`  ${over} of ${turns.filter((t) => t.totalMs !== null).length} answered turns over budget`);
  return lines.join('\n');
}

export function waterfallJson(input: WaterfallInput): unknown {
  const budget = budgetOf(input.call.metadata);
  return { budget, turns: turnStages(input, budget) };
}
