import { formatWaterfall, waterfallJson } from '../../../src/cli/commands/callsWaterfall.js';
import { createLogger, setLogLevel, setLogSink, STAGE } from '../../../src/observability/index.js';

describe('calls show waterfall', () => {
  const latency = [
    { metric: STAGE.transcription, valueMs: 180, turn: 1 },
    { metric: STAGE.modelFirstAudio, valueMs: 590, turn: 1 },
    { metric: STAGE.turn, valueMs: 612, turn: 1 },
    { metric: STAGE.modelFirstAudio, valueMs: 850, turn: 2 },
    { metric: STAGE.turn, valueMs: 910, turn: 2 },
    { metric: STAGE.greeting, valueMs: 5, turn: 0 },
  ];

  it('draws each turn against the budget the call ran under, marking the stages and turns over it', () => {
    const text = formatWaterfall({ call: { metadata: {} }, latency });
    expect(text).toContain('budget 800 ms per turn');
    expect(text).toMatch(/turn 1 {2}612 ms ✓/);
    expect(text).toMatch(/turn 2 {2}910 ms ✗ OVER BUDGET \(800 ms\)/);
    expect(text).toMatch(/model first audio +█+ *│? *590 ms ✗ over 550/);
    expect(text).toMatch(/edge +\S*.*22 ms ✓ ≤ 50/);
    expect(text).toContain('1 of 2 answered turns over budget');
    // every bar row shows the budget line (a bar may cover it)
    expect(text.split('\n').filter((l) => /ms (✓|✗)/.test(l) && !l.startsWith('  turn')).every((l) => /[│█]/.test(l))).toBe(true);
  });

  it('draws a cascaded turn hop by hop: transcript, text request, first text token, first TTS audio, edge', () => {
    const cascade = [
      { metric: STAGE.transcription, valueMs: 120, turn: 1 },
      { metric: STAGE.textRequest, valueMs: 124, turn: 1 },
      { metric: STAGE.firstTextToken, valueMs: 454, turn: 1 },
      { metric: STAGE.firstTtsAudio, valueMs: 640, turn: 1 },
      { metric: STAGE.modelFirstAudio, valueMs: 640, turn: 1 },
      { metric: STAGE.turn, valueMs: 652, turn: 1 },
    ];
    const text = formatWaterfall({ call: { metadata: {} }, latency: cascade });
    expect(text).toMatch(/text request +\S*.* 4 ms$/m);
    // 454 - 124 = 330 ms against network + first token (400 ms); 640 - 454 = 186 ms against first TTS frame (150 ms).
    expect(text).toMatch(/first text token +\S*.* 330 ms ✓ ≤ 400/);
    expect(text).toMatch(/first TTS audio +\S*.* 186 ms ✗ over 150/);
    expect(text).toMatch(/edge +\S*.* 12 ms ✓ ≤ 50/);
    expect(text).not.toContain('model first audio');
    const json = waterfallJson({ call: { metadata: {} }, latency: cascade }) as { turns: Array<Record<string, unknown>> };
    expect(json.turns[0]).toMatchObject({ textRequestMs: 124, firstTextTokenMs: 454, firstTtsAudioMs: 640, edgeMs: 12 });
  });

  it('uses the budget recorded on the call', () => {
    const budget = { budgetMs: 1000, stages: { network: 150, speechToText: 200, firstToken: 250, firstTtsFrame: 150, edge: 50 } };
    const json = waterfallJson({ call: { metadata: { latencyBudget: budget } }, latency }) as { turns: Array<{ turn: number; overBudget: boolean; edgeMs: number }> };
    expect(json.turns.map((t) => [t.turn, t.overBudget, t.edgeMs])).toEqual([[1, false, 22], [2, false, 60]]);
  });
});

describe('log redaction', () => {
  it('drops dates of birth and masks e-mail addresses, in fields and in messages', () => {
    const lines: string[] = [];
    const restore = setLogSink((l) => lines.push(l));
    setLogLevel('debug');
    try {
      createLogger('tools').info('patient ana.perez@example.org born on 1984-03-12 verified', { dob: '1984-03-12', email: 'ana.perez@example.org', nested: { dateOfBirth: '12/03/1984' } });
    } finally {
      setLogSink(restore);
      setLogLevel('silent');
    }
    const line = lines[0]!;
    for (const secret of ['ana.perez', '1984', '12/03']) expect([secret, line.includes(secret)]).toEqual([secret, false]);
    expect(JSON.parse(line)).toMatchObject({ email: '•••@example.org', dob: '[redacted]', level: 'info', ns: 'switchboard:tools' });
  });
});
