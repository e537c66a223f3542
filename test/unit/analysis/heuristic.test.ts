import { analyseHeuristically, detectIntent, scoreSentiment, callFacts, extractFields, scoreLead, fieldsSchema } from '../../../src/analysis/index.js';
import { maskPhoneNumbers } from '../../../src/analysis/heuristic/text.js';
import { bundle, testManifest } from './fixtures.js';

const manifest = testManifest();

describe('heuristic sentiment', () => {
  it('labels happy callers positive and angry callers negative, on a -1..1 scale', () => {
    const happy = scoreSentiment(['That is perfect, thank you so much!', 'Great, I love it.']);
    const angry = scoreSentiment(['This is terrible, I am very angry.', 'Worst service ever, awful.']);
    expect(happy.label).toBe('positive');
    expect(happy.score).toBeGreaterThan(0.5);
    expect(happy.score).toBeLessThanOrEqual(1);
    expect(angry.label).toBe('negative');
    expect(angry.score).toBeLessThan(-0.5);
  });

  it('scores a call in Spanish with the Spanish word list, request words neutral', () => {
    const happy = scoreSentiment(['Perfecto, muchas gracias.', 'Excelente, estoy muy contento.'], 'es-US');
    const angry = scoreSentiment(['Esto es terrible, estoy muy enojado.', 'Es inaceptable y ridículo.'], 'es-US');
    expect(happy.label).toBe('positive');
    expect(angry.label).toBe('negative');
    // Asking for help or to cancel is not a feeling on a service line.
    expect(scoreSentiment(['Quiero cancelar mi cita, necesito ayuda.'], 'es').label).toBe('neutral');
    // The English list reads none of it: the same happy call scores nothing there.
    expect(scoreSentiment(['Perfecto, muchas gracias.', 'Excelente, estoy muy contento.']).afinn).toBe(0);
    // No word list for the language: English, not a failure.
    expect(scoreSentiment(['That is perfect.'], 'tlh').label).toBe('positive');
  });

  it('reads the language the call was found to be in from the call', () => {
    const b = bundle({ caller: ['Excelente, muchas gracias, perfecto.'] });
    expect(analyseHeuristically({ bundle: { ...b, call: { ...b.call, language: 'es-US' } }, manifest }).sentiment.label).toBe('positive');
    expect(analyseHeuristically({ bundle: b, manifest }).sentiment.label).toBe('neutral');
  });

  it('is neutral with no sentiment words and handles negation', () => {
    expect(scoreSentiment(['I would like a haircut on Tuesday.'])).toEqual({ label: 'neutral', score: 0, afinn: 0 });
    expect(scoreSentiment(['I am not happy.']).label).toBe('negative');
  });
});

describe('heuristic intent', () => {
  it('prefers what the call did (tools, handoffs) over words', () => {
    const b = bundle({ caller: ['How much is it? Actually I want to cancel, no wait.'], tools: [{ toolName: 'salon_book_appointment' }], handoffs: [['Front Desk', 'Booking']] });
    const m = detectIntent(manifest.analysis, callFacts(b));
    expect(m.intent).toBe('book');
    expect(m.evidence).toEqual(expect.arrayContaining(['tool:salon_book_appointment', 'handoff:Booking']));
  });

  it('falls back to keyword rules, then to the intent field, then unknown', () => {
    expect(detectIntent(manifest.analysis, callFacts(bundle({ caller: ['I need to cancel please'] }))).intent).toBe('cancel');
    const noRules = testManifest({ intents: [] });
    expect(detectIntent(noRules.analysis, callFacts(bundle({ caller: ['how much for a trim'] }))).intent).toBe('pricing');
    expect(detectIntent(noRules.analysis, callFacts(bundle({ caller: ['hello there'] }))).intent).toBe('unknown');
  });

  it('matches keywords on whole words only', () => {
    expect(detectIntent(manifest.analysis, callFacts(bundle({ caller: ['I read a notebook'] }))).intent).toBe('unknown');
  });
});

describe('lead score', () => {
  it('adds the fired rules to the base, clamps to 0..100 and lists the reasons', () => {
    const b = bundle({
      caller: ['I want highlights', 'Tuesday works', 'Lovely, thanks'],
      tools: [{ toolName: 'salon_check_availability' }, { toolName: 'salon_book_appointment' }],
    });
    const facts = callFacts(b);
    const lead = scoreLead(manifest.analysis, { facts, intent: 'book', sentiment: 'positive' });
    expect(lead.reasons.map((r) => r.reason)).toEqual(['Booked an appointment', 'Checked availability', 'Asked about color', 'Engaged conversation']);
    expect(lead.score).toBe(100); // 20 + 50 + 15 + 10 + 5 = 100
    const cancelled = scoreLead(manifest.analysis, {
      facts: callFacts(bundle({ caller: ['cancel it'], tools: [{ toolName: 'salon_cancel_appointment' }] })), intent: 'cancel', sentiment: 'negative',
    });
    expect(cancelled.score).toBe(0); // 20 - 60 - 15 clamped
  });

  it('does not count a tool that failed as succeeded', () => {
    const facts = callFacts(bundle({ caller: ['book me'], tools: [{ toolName: 'salon_book_appointment', status: 'error' }] }));
    const lead = scoreLead(manifest.analysis, { facts, intent: 'book', sentiment: 'neutral' });
    expect(lead.reasons).toEqual([]);
    expect(lead.score).toBe(20);
  });
});

describe('vertical fields', () => {
  it('takes tool arguments first, then caller keywords, null or [] otherwise', () => {
    const b = bundle({
      caller: ['I want an appointment for highlights and a trim', 'please call me back'],
      tools: [{ toolName: 'salon_book_appointment', arguments: { service_requested: 'Balayage', party_size: 2 } }],
    });
    const fields = extractFields(manifest.analysis.fields, b, callFacts(b));
    expect(fields).toEqual({ intent: 'book', service_requested: 'Balayage', wants_callback: true, party_size: 2, topics: ['color', 'cut'] });
    expect(fieldsSchema(manifest.analysis.fields).safeParse(fields).success).toBe(true);
    const empty = bundle({ caller: ['hello'] });
    expect(extractFields(manifest.analysis.fields, empty, callFacts(empty))).toEqual({
      intent: null, service_requested: null, wants_callback: false, party_size: null, topics: [],
    });
  });
});

describe('analyseHeuristically', () => {
  it('is deterministic and produces a full, schema-valid analysis with an extractive summary', () => {
    const b = bundle({
      caller: ['Hi', 'I would like to book a haircut for Friday', 'Great, thank you!'],
      assistant: ['Snip Salon, how can I help?', 'Let me check.', 'Booked!'],
      tools: [{ toolName: 'salon_check_availability' }, { toolName: 'salon_book_appointment', arguments: { customer_name: 'Dana', service_requested: 'Haircut' } }],
      handoffs: [['Front Desk', 'Booking']],
    });
    const a = analyseHeuristically({ bundle: b, manifest });
    expect(analyseHeuristically({ bundle: b, manifest })).toEqual(a);
    expect(a.intent).toBe('book');
    expect(a.sentiment.label).toBe('positive');
    expect(a.leadScore).toBe(90); // 20 + 50 + 15 + 5
    expect(a.summary).toBe(
      'Dana called Snip Salon and said: "I would like to book a haircut for Friday". Intent: book. ' +
      'Done: salon_check_availability and salon_book_appointment. Handed over: Front Desk → Booking. ' +
      'The call ended (caller hangup) after 2 min 13 s.',
    );
    expect(a.fields.intent).toBe('book');
    expect(a.analyser).toBe('heuristic');
    expect(a.isShort).toBe(false);
  });

  it('still analyses a call that failed, and says so', () => {
    const a = analyseHeuristically({ bundle: bundle({ caller: ['I want to book', 'hello?'], status: 'failed', endReason: 'model_error' }), manifest });
    expect(a.summary).toContain('The call failed (model error)');
  });

  it('masks phone numbers but keeps dates and times', () => {
    expect(maskPhoneNumbers('call +1 415 555 0100 on 2025-01-03 at 10:30')).toBe('call [number] on 2025-01-03 at 10:30');
  });
});

describe('call language', () => {
  it('does not read requests ("I would like", "please", "cancel") as feelings', () => {
    expect(scoreSentiment(['I would like to cancel my appointment please, are you free Friday?']).label).toBe('neutral');
  });
});

describe('tool arguments named differently from the fields', () => {
  it('matches camelCase arguments and ids that read like words, never opaque ids', () => {
    const spec = testManifest({ fields: [
      { name: 'service_requested', type: 'string', description: 'Service.' },
      { name: 'preferred_stylist', type: 'string', description: 'Stylist.' },
      { name: 'customer_account', type: 'string', description: 'Account.' },
    ] }).analysis;
    const b = bundle({ caller: ['Book me with Maya please'], tools: [{ toolName: 'salon_book_appointment', arguments: {
      serviceId: 'womens-cut', stylistId: 'maya', customerName: 'Ana Lopez', customerAccountId: '3f2b1c4d-1111-4222-8333-444455556666',
    } }] });
    expect(extractFields(spec.fields, b, callFacts(b))).toEqual({ service_requested: 'womens-cut', preferred_stylist: 'maya', customer_account: null });
    const a = analyseHeuristically({ bundle: b, manifest: testManifest() });
    expect(a.summary).toMatch(/^Ana Lopez called Snip Salon and said: "Book me with Maya please"\. /);
  });

  it('does not quote a request with doubled punctuation, nor list end_call as work done', () => {
    const b = bundle({ caller: ['What are your opening hours today?'], tools: [{ toolName: 'end_call' }] });
    const a = analyseHeuristically({ bundle: b, manifest: testManifest() });
    expect(a.summary).toBe('A caller called Snip Salon and said: "What are your opening hours today?" Intent: unknown. The call ended (caller hangup) after 2 min 13 s.');
  });
});
