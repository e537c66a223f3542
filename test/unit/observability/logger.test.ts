import { createLogger, setLogLevel, setLogSink, maskPhone } from '../../../src/observability/index.js';

describe('logger', () => {
  let lines: string[];
  let restore: (l: string) => void;
  beforeEach(() => {
    lines = [];
    restore = setLogSink((l) => lines.push(l));
    setLogLevel('debug');
  });
  afterEach(() => {
    setLogSink(restore);
    setLogLevel('silent');
  });

  it('writes namespaced JSON lines with ids and timings', () => {
    createLogger('realtime', { callId: 'c1' }).info('turn done', { latencyMs: 412 });
    const rec = JSON.parse(lines[0]!);
    expect(rec).toMatchObject({ ns: 'switchboard:realtime', level: 'info', msg: 'turn done', callId: 'c1', latencyMs: 412 });
  });

  it('never writes phone numbers, transcripts, audio or secrets', () => {
    const log = createLogger('server');
    log.info('call from +14155550123 started', {
      from: '+14155550123', transcript: 'my card number is 4111', audio: Buffer.from([1, 2, 3]),
      apiKey: 'sk-secret', nested: { to: '+442071838750', note: 'call +14155550123 back' },
    });
    const line = lines[0]!;
    expect(line).not.toContain('4155550123');
    expect(line).not.toContain('2071838750');
    expect(line).not.toContain('4111');
    expect(line).not.toContain('sk-secret');
    expect(JSON.parse(line).from).toBe(maskPhone('+14155550123'));
  });

  it('keeps correlation ids whole even when they hold long digit runs', () => {
    const traceId = '8efa7474a95e8eb2e79986751850a10d';
    createLogger('realtime').info(`span in trace ${traceId}`, {
      trace_id: '12345678901234567890123456789012', callSid: 'CA1a23be2f300000000000000000000001',
      note: `trace ${traceId} for caller 415 555 0123`,
    });
    const rec = JSON.parse(lines[0]!);
    expect(rec.trace_id).toBe('12345678901234567890123456789012');
    expect(rec.callSid).toBe('CA1a23be2f300000000000000000000001');
    expect(rec.msg).toBe(`span in trace ${traceId}`);
    expect(rec.note).toContain(traceId);
    expect(rec.note).not.toContain('555 0123');
  });

  it('drops records below the level', () => {
    setLogLevel('warn');
    const log = createLogger('x');
    log.info('hidden');
    log.warn('shown');
    expect(lines).toHaveLength(1);
  });
});
