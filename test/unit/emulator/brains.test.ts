import {
  RulesBrainSession, ScriptedBrainSession, HONEST_INTRO, describeResult, speakableFromInstructions,
  findDate, findTime, findPhone, findName, findNumber, fieldsOf, extractField, defaultSession,
  type BrainTurnContext, type ConversationItem, type SessionResource,
} from '../../../src/engines/emulator/index.js';
import { parseScenario } from '../../../src/scenarios/index.js';

// Monday 3 June 2030.
const NOW = new Date('2030-06-03T13:00:00Z');

const bookTool = {
  type: 'function' as const,
  name: 'book_appointment',
  description: 'Books an appointment for a haircut or colour.',
  parameters: {
    type: 'object',
    properties: {
      date: { type: 'string', description: 'date as YYYY-MM-DD' },
      time: { type: 'string' },
      customer_name: { type: 'string' },
      phone: { type: 'string' },
      notes: { anyOf: [{ type: 'string' }, { type: 'null' }] },
    },
    required: ['date', 'time', 'customer_name', 'phone', 'notes'],
    additionalProperties: false,
  },
};
const hoursTool = { type: 'function' as const, name: 'get_opening_hours', description: 'Opening hours of the salon for each day.', parameters: { type: 'object', properties: {}, required: [] } };
const transfer = { type: 'function' as const, name: 'transfer_to_Billing_Desk', description: 'Handoff to the Billing Desk agent to handle the request. Invoices, bills and payments.', parameters: { type: 'object', properties: {}, required: [] } };
const endCall = { type: 'function' as const, name: 'end_call', description: 'Ends the call.', parameters: { type: 'object', properties: { reason: { type: 'string' } }, required: [] } };

function session(tools: SessionResource['tools']): SessionResource {
  return { ...defaultSession(), tools };
}
let n = 0;
const userText = (text: string): ConversationItem => ({ id: `item_${++n}`, object: 'realtime.item', type: 'message', role: 'user', status: 'completed', content: [{ type: 'input_text', text }] });
const ctx = (s: SessionResource, items: ConversationItem[], newItems = items): BrainTurnContext => ({ session: s, items, newItems, now: NOW });

describe('argument extraction', () => {
  it('reads dates, times, phone numbers, names and numbers from caller words', () => {
    expect(findDate('tomorrow please', NOW)).toBe('2030-06-04');
    expect(findDate('on Friday', NOW)).toBe('2030-06-07');
    expect(findDate('next Monday', NOW)).toBe('2030-06-10');
    expect(findDate('the 14th of June', NOW)).toBe('2030-06-14');
    expect(findDate('March 2', NOW)).toBe('2031-03-02');
    expect(findTime('at 3pm')).toBe('15:00');
    expect(findTime('half past nothing, 10:30 works')).toBe('10:30');
    expect(findTime("four o'clock")).toBe('16:00');
    expect(findPhone('my number is 555 010 4477')).toBe('+15550104477');
    expect(findPhone('call +44 20 7946 0958')).toBe('+442079460958');
    expect(findName('Hi, my name is Ana Lopez and I need help')).toBe('Ana Lopez');
    expect(findName('Ana Lopez', true)).toBe('Ana Lopez');
    expect(findName('i need a haircut')).toBeUndefined();
    expect(findNumber('a table for four')).toBe(4);
  });

  it('maps a JSON schema to fields and fills them by kind', () => {
    const fields = fieldsOf(bookTool.parameters);
    expect(fields.map((f) => [f.name, f.kind, f.required])).toEqual([
      ['date', 'date', true], ['time', 'time', true], ['customer_name', 'name', true], ['phone', 'phone', true], ['notes', 'freetext', false],
    ]);
    expect(extractField(fields[0]!, 'Friday at 2pm', NOW)).toBe('2030-06-07');
    const startsAt = fieldsOf({ type: 'object', properties: { startsAt: { type: 'string', pattern: '^\\d{4}-\\d{2}-\\d{2}T\\d{2}:\\d{2}$' } } })[0]!;
    expect(extractField(startsAt, 'tomorrow at 9am', NOW)).toBe('2030-06-04T09:00');
  });
});

describe('rule-based brain', () => {
  it('greets as an offline rule-based stand-in, never as a language model', () => {
    const brain = new RulesBrainSession();
    const reply = brain.respond(ctx(session([]), []));
    expect(reply.say).toContain(HONEST_INTRO);
    const asked = brain.respond(ctx(session([]), [userText('Are you a real person?')]));
    expect(asked.say).toContain('offline rule-based stand-in');
  });

  it('picks the tool whose description matches, asks for what is missing, then calls it', () => {
    const brain = new RulesBrainSession();
    const s = session([hoursTool, bookTool, endCall]);
    const first = brain.respond(ctx(s, [userText("I'd like to book a haircut on Friday at 3pm")]));
    expect(first.toolCall).toBeUndefined();
    expect(first.say).toMatch(/name/i);
    const second = brain.respond(ctx(s, [userText('Ana Lopez')]));
    expect(second.say).toMatch(/phone number/i);
    const third = brain.respond(ctx(s, [userText('555 010 4477')]));
    expect(third.toolCall?.name).toBe('book_appointment');
    expect(JSON.parse(third.toolCall!.arguments)).toEqual({ date: '2030-06-07', time: '15:00', customer_name: 'Ana Lopez', phone: '+15550104477', notes: null });
  });

  it('hands off by matching handoff descriptions, and introduces the new agent after the transfer', () => {
    const brain = new RulesBrainSession();
    const s = session([hoursTool, transfer]);
    const items: ConversationItem[] = [userText('I have a question about my bill')];
    const reply = brain.respond(ctx(s, items));
    expect(reply.toolCall).toEqual({ name: 'transfer_to_Billing_Desk', arguments: '{}' });
    const call: ConversationItem = { id: 'item_fc', object: 'realtime.item', type: 'function_call', name: 'transfer_to_Billing_Desk', call_id: 'call_1', arguments: '{}' };
    const output: ConversationItem = { id: 'item_out', object: 'realtime.item', type: 'function_call_output', call_id: 'call_1', output: '{"assistant":"Billing Desk"}' };
    const after = brain.respond(ctx(session([]), [...items, call, output], [output]));
    expect(after.say).toContain('this is Billing Desk');
    expect(after.say).toContain(HONEST_INTRO);
  });

  it('asks politely to repeat speech it has no transcript for, and ends the call on goodbye', () => {
    const brain = new RulesBrainSession();
    const s = session([hoursTool, endCall]);
    const audio: ConversationItem = { id: 'item_a', object: 'realtime.item', type: 'message', role: 'user', content: [{ type: 'input_audio', transcript: '' }] };
    expect(brain.respond(ctx(s, [audio])).say).toMatch(/didn't catch that/);
    const bye = brain.respond(ctx(s, [userText("No, that's all, goodbye")]));
    expect(bye.toolCall?.name).toBe('end_call');
    expect(bye.say).toMatch(/Goodbye/);
  });

  it('reads tool results back in a short sentence and says what an instruction asks', () => {
    expect(describeResult('x', '{"message":"You are booked for Friday."}')).toBe('You are booked for Friday.');
    expect(describeResult('x', '[{"name":"Maya"},{"name":"Priya"}]')).toBe('I found 2 options: Maya; Priya.');
    expect(describeResult('x', '{"ok":false,"error":"SLOT_TAKEN","message":"That time was just taken."}')).toMatch(/^Sorry, that didn't work/);
    expect(describeResult('x', '{"openingHours":"9-5"}')).toBe('Done. opening hours 9-5.');
    expect(speakableFromInstructions('Greet the caller with: "Welcome to Luna."')).toBe('Welcome to Luna.');
    expect(speakableFromInstructions('Say: Thanks for calling.')).toBe('Thanks for calling.');
    expect(speakableFromInstructions('Be nice.')).toBeUndefined();
  });
});

describe('scripted brain', () => {
  const scenario = parseScenario(`
name: s
vertical: test
opening: [{ say: Hello. }]
turns:
  - caller: First thing.
    agent:
      - say: One.
        call: { tool: t1, args: { a: 1 } }
      - say: Two.
  - caller: Second thing.
    agent: [{ say: Three., handoff: Billing Desk }]
  - caller: Third thing.
    agent: [{ endCall: { reason: done } }]
`);

  it('pairs the Nth caller input with the Nth turn and plays its steps one response at a time', () => {
    const brain = new ScriptedBrainSession(scenario);
    const s = session([]);
    expect(brain.respond(ctx(s, []))).toEqual({ say: 'Hello.' });
    expect(brain.callerInput({ kind: 'audio', index: 0 })).toBe('First thing.');
    expect(brain.respond(ctx(s, []))).toEqual({ say: 'One.', toolCall: { name: 't1', arguments: '{"a":1}' } });
    expect(brain.respond(ctx(s, []))).toEqual({ say: 'Two.' });
    expect(brain.callerInput({ kind: 'audio', index: 1 })).toBe('Second thing.');
    expect(brain.respond(ctx(s, []))).toEqual({ say: 'Three.', toolCall: { name: 'transfer_to_Billing_Desk', arguments: '{}' } });
    expect(brain.callerInput({ kind: 'audio', index: 2 })).toBe('Third thing.');
    expect(brain.respond(ctx(s, []))).toEqual({ toolCall: { name: 'end_call', arguments: '{"reason":"done"}' } });
    // Past the script the rule-based brain answers; it has no transcript for extra speech.
    expect(brain.callerInput({ kind: 'audio', index: 3 })).toBeNull();
  });

  it('lets typed text jump to the turn it matches', () => {
    const brain = new ScriptedBrainSession(scenario);
    expect(brain.callerInput({ kind: 'text', index: 0, text: 'second thing' })).toBe('second thing');
    expect(brain.turn).toBe(-1);
    brain.respond(ctx(session([]), []));
    expect(brain.turn).toBe(1);
  });
});

describe('spoken times', () => {
  it('reads hours and minutes said as words', () => {
    expect(findTime('ten thirty in the morning')).toBe('10:30');
    expect(findTime('half past two pm')).toBe('14:30');
    expect(findTime('at three in the afternoon')).toBe('15:00');
    expect(findTime("Ten o'clock please")).toBe('10:00');
  });
});
