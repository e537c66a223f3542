/** Builders for analysis unit tests: a small salon-like manifest and finished-call bundles. */
import { manifestSchema, type Manifest } from '../../../src/manifest/schema.js';
import type { CallBundle } from '../../../src/analysis/types.js';

export function testManifest(analysis: Record<string, unknown> = {}): Manifest {
  return manifestSchema.parse({
    id: 'salon-test',
    name: 'Snip Salon',
    languages: { default: 'en', supported: [{ code: 'en', voice: 'alloy' }] },
    greeting: 'Hello, Snip Salon.',
    entryAgent: 'Front Desk',
    agents: [
      { name: 'Front Desk', description: 'front desk', instructions: 'Help.', tools: ['salon_list_services'], handoffs: ['Booking'] },
      { name: 'Booking', description: 'books', instructions: 'Book.', tools: ['salon_book_appointment', 'salon_check_availability', 'salon_cancel_appointment'] },
    ],
    analysis: {
      analyser: 'heuristic',
      minCallerTurns: 2,
      fields: [
        { name: 'intent', type: 'enum', description: 'Main reason.', values: ['book', 'cancel', 'pricing', 'other'],
          keywords: { book: ['appointment'], cancel: ['cancel'], pricing: ['how much'] } },
        { name: 'service_requested', type: 'string', description: 'Service.' },
        { name: 'wants_callback', type: 'boolean', description: 'Asked to be called back.', keywords: { yes: ['call me back', 'callback'] } },
        { name: 'party_size', type: 'number', description: 'People.' },
        { name: 'topics', type: 'string[]', description: 'Topics.', keywords: { color: ['color', 'highlights'], cut: ['haircut', 'trim'] } },
      ],
      intents: [
        { name: 'book', tools: ['salon_book_appointment', 'salon_check_availability'], agents: ['Booking'], keywords: ['book', 'appointment'] },
        { name: 'cancel', tools: ['salon_cancel_appointment'], keywords: ['cancel'] },
        { name: 'pricing', tools: ['salon_list_services'], keywords: ['price', 'how much'] },
      ],
      leadScore: {
        base: 20,
        rubric: [
          { reason: 'Booked an appointment', points: 50, when: { toolSucceeded: 'salon_book_appointment' } },
          { reason: 'Checked availability', points: 15, when: { tool: 'salon_check_availability' } },
          { reason: 'Asked about prices', points: 10, when: { intent: 'pricing' } },
          { reason: 'Asked about color', points: 10, when: { keywords: ['color', 'highlights'] } },
          { reason: 'Cancelled', points: -60, when: { toolSucceeded: 'salon_cancel_appointment' } },
          { reason: 'Unhappy caller', points: -15, when: { sentiment: 'negative' } },
          { reason: 'Engaged conversation', points: 5, when: { minCallerTurns: 3 } },
        ],
      },
      ...analysis,
    },
  });
}

let seq = 0;
export function bundle(options: {
  caller?: string[];
  assistant?: string[];
  tools?: Array<{ toolName: string; status?: string; arguments?: unknown }>;
  handoffs?: Array<[string, string]>;
  status?: 'completed' | 'failed';
  endReason?: string;
  durationMs?: number;
} = {}): CallBundle {
  const caller = options.caller ?? [];
  const assistant = options.assistant ?? [];
  const transcript: CallBundle['transcript'] = [];
  const n = Math.max(caller.length, assistant.length);
  for (let i = 0; i < n; i++) {
    if (assistant[i] !== undefined) transcript.push({ seq: transcript.length + 1, role: 'assistant', agent: 'Front Desk', text: assistant[i]!, interrupted: false });
    if (caller[i] !== undefined) transcript.push({ seq: transcript.length + 1, role: 'caller', agent: null, text: caller[i]!, interrupted: false });
  }
  seq++;
  return {
    call: {
      id: `00000000-0000-4000-8000-${String(seq).padStart(12, '0')}`,
      vertical: 'salon-test',
      manifestVersion: 'v1',
      status: options.status ?? 'completed',
      endReason: options.endReason ?? 'caller_hangup',
      startedAt: new Date('2025-01-01T10:00:00Z'),
      endedAt: new Date('2025-01-01T10:02:13Z'),
      durationMs: options.durationMs ?? 133_000,
    },
    transcript,
    tools: (options.tools ?? []).map((t) => ({ toolName: t.toolName, agent: 'Booking', status: t.status ?? 'ok', arguments: t.arguments ?? {}, errorCode: null })),
    handoffs: (options.handoffs ?? []).map(([fromAgent, toAgent]) => ({ fromAgent, toAgent })),
  };
}
