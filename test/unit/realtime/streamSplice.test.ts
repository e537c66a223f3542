import { CarrierOutlet } from '../../../src/realtime/carrierQueue.js';
import { StreamSplice } from '../../../src/realtime/streamSplice.js';
import type { CallEvent, CarrierConnection, StartEvent } from '../../../src/telephony/index.js';

/** A carrier connection that records what it was sent and closes on demand. */
class FakeConnection implements CarrierConnection {
  readonly carrier = 'twilio';
  readonly started: Promise<StartEvent> = new Promise(() => undefined);
  readonly frames: string[] = [];
  closedWith: string | undefined;
  private closeFns: Array<(info: { code: number; reason: string }) => void> = [];
  on(event: 'event' | 'close' | 'error', fn: ((e: CallEvent) => void) | ((i: { code: number; reason: string }) => void) | ((e: { code: string; message: string }) => void)): void {
    if (event === 'close') this.closeFns.push(fn as (i: { code: number; reason: string }) => void);
  }
  sendAudioFrame(p: string): void { this.frames.push(p); }
  sendMark(_name: string): void {}
  clear(): void {}
  close(_code?: number, reason?: string): void { this.closedWith = reason; this.hangUp(); }
  hangUp(): void { for (const f of this.closeFns) f({ code: 1000, reason: 'closed' }); this.closeFns = []; }
  readonly bufferedAmount = 0;
}

/** A connection that batches writes (the carrier socket's cork), logging the order of calls. */
class CorkableConnection extends FakeConnection {
  readonly log: string[] = [];
  override sendAudioFrame(p: string): void { this.log.push(`a:${p}`); }
  override sendMark(name: string): void { this.log.push(`m:${name}`); }
  cork(): void { this.log.push('cork'); }
  uncork(): void { this.log.push('uncork'); }
}

describe('the stream splice', () => {
  it('passes a close through when no transfer is under way', () => {
    const first = new FakeConnection();
    const splice = new StreamSplice(first);
    const closes: string[] = [];
    splice.on('close', (i) => closes.push(i.reason));
    first.hangUp();
    expect(closes).toEqual(['closed']);
  });

  it('keeps the call through a hold and sends to the caller\'s new stream after the swap', async () => {
    const first = new FakeConnection();
    const splice = new StreamSplice(first);
    const closes: string[] = [];
    splice.on('close', (i) => closes.push(i.reason));
    splice.hold();
    first.hangUp();
    expect(closes).toEqual([]);
    expect(splice.awaitingStream).toBe(true);
    splice.sendAudioFrame('dropped');
    const back = splice.swapped(1000);
    const second = new FakeConnection();
    splice.swap(second);
    await expect(back).resolves.toBe(true);
    splice.sendAudioFrame('AAAA');
    expect(second.frames).toEqual(['AAAA']);
    expect(first.frames).toEqual([]);
    second.hangUp();
    expect(closes).toEqual(['closed']);
  });

  it('ends the call when the hold is given up after the stream left, or the caller never comes back', async () => {
    const first = new FakeConnection();
    const splice = new StreamSplice(first);
    const closes: string[] = [];
    splice.on('close', (i) => closes.push(i.reason));
    splice.hold();
    first.hangUp();
    await expect(splice.swapped(20)).resolves.toBe(false);
    splice.release();
    expect(closes).toEqual(['stream closed during a transfer']);
  });

  it('passes a batch through to the stream, so a delta\'s frames leave in one write', () => {
    const conn = new CorkableConnection();
    const outlet = new CarrierOutlet();
    outlet.attach(new StreamSplice(conn));
    outlet.batch(() => {
      outlet.audio('f1');
      outlet.audio('f2');
      outlet.mark('m1');
    });
    expect(conn.log).toEqual(['cork', 'a:f1', 'a:f2', 'm:m1', 'uncork']);
  });

  it('uncorks the stream it corked when the stream is swapped inside a batch, and tolerates one that cannot batch', () => {
    const first = new CorkableConnection();
    const splice = new StreamSplice(first);
    splice.cork();
    const second = new CorkableConnection();
    splice.swap(second);
    splice.cork();
    splice.uncork();
    splice.uncork();
    expect(first.log).toEqual(['cork', 'uncork']);
    expect(second.log).toEqual(['cork', 'uncork']);
    const plain = new FakeConnection();
    splice.swap(plain);
    splice.cork();
    splice.sendAudioFrame('AAAA');
    splice.uncork();
    expect(plain.frames).toEqual(['AAAA']);
    expect(second.log).toEqual(['cork', 'uncork']);
  });
});
