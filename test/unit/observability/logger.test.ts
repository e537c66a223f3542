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

  it('drops records below the level', () => {
    setLogLevel('warn');
    const log = createLogger('x');
    log.info('hidden');
    log.warn('shown');
    expect(lines).toHaveLength(1);
  });
});
