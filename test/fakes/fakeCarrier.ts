/**
 * A second carrier defined only in tests: its own wire format, stream path, upgrade token, JSON
 * webhooks and media format, and call control that records what it was asked. Registering it
 * (`createCarriers(ctx, [...CARRIERS, fakeCarrier])`) is all a gateway and runtime need to serve it.
 *
 * Wire (carrier → gateway): {"t":"hello","call":…,"stream":…,"params":{…}} | {"t":"audio","b64":…}
 *   | {"t":"ack","mark":…} | {"t":"bye"};   (gateway → carrier): {"t":"play","stream":…,"b64":…}
 *   | {"t":"mark","stream":…,"name":…} | {"t":"flush","stream":…}.
 * Webhooks: POST /fake/calls {id,to,from} → {action:"stream",url,params} | {action:"reject",reason};
 *           POST /fake/events {id,state} → 204 (state "ended" or "dropped" ends the call).
 */
import express, { Router } from 'express';
import { z } from 'zod';
import {
  BAD_REQUEST, CARRIER_ERROR, STREAM_PARAM, sendWebhookError, toWebSocketUrl,
  type CallControl, type CallEvent, type CallStatusMeaning, type Carrier, type CarrierCallPort, type CarrierContext,
  type CarrierModule, type CarrierSerializer, type MediaFormat, type SmsSender,
} from '../../src/telephony/index.js';

export const FAKE = 'fake';
export const FAKE_PATHS = { calls: '/fake/calls', events: '/fake/events', stream: '/fake/media' } as const;
/** μ-law in 40 ms frames: not Twilio's 20 ms. */
export const FAKE_MEDIA: MediaFormat = { encoding: 'audio/x-mulaw', sampleRateHz: 8000, frameMs: 40, frameBytes: 320, silenceByte: 0xff };

const inbound = z.discriminatedUnion('t', [
  z.object({ t: z.literal('hello'), call: z.string().min(1), stream: z.string().min(1), params: z.record(z.string(), z.string()).default({}) }),
  z.object({ t: z.literal('audio'), b64: z.string().min(1) }),
  z.object({ t: z.literal('ack'), mark: z.string() }),
  z.object({ t: z.literal('bye') }),
]);

export const fakeSerializer: CarrierSerializer = {
  carrier: FAKE,
  parse(raw) {
    let json: unknown;
    try {
      json = JSON.parse(raw);
    } catch {
      return { ok: false, code: CARRIER_ERROR.badJson, message: 'not JSON' };
    }
    const r = inbound.safeParse(json);
    if (!r.success) return { ok: false, code: CARRIER_ERROR.unknownEvent, message: 'not a fake-carrier message' };
    const m = r.data;
    let event: CallEvent;
    switch (m.t) {
      case 'hello':
        event = { type: 'start', streamSid: m.stream, callSid: m.call, tracks: ['inbound'], mediaFormat: { encoding: FAKE_MEDIA.encoding, sampleRateHz: FAKE_MEDIA.sampleRateHz, channels: 1 }, customParameters: m.params };
        break;
      case 'audio':
        event = { type: 'audio', payloadBase64: m.b64 };
        break;
      case 'ack':
        event = { type: 'mark', name: m.mark };
        break;
      case 'bye':
        event = { type: 'stop' };
        break;
    }
    return { ok: true, event };
  },
  serialize(cmd, stream) {
    switch (cmd.type) {
      case 'audio':
        return JSON.stringify({ t: 'play', stream, b64: cmd.payloadBase64 });
      case 'mark':
        return JSON.stringify({ t: 'mark', stream, name: cmd.name });
      case 'clear':
        return JSON.stringify({ t: 'flush', stream });
    }
  },
};

/** Call control and SMS that only record what they were asked. */
export class RecordingCallControl implements CallControl, SmsSender {
  readonly requests: Array<{ kind: 'hangup' | 'transfer' | 'sms'; callSid?: string; to?: string }> = [];
  async hangUp(callSid: string): Promise<void> {
    this.requests.push({ kind: 'hangup', callSid });
  }
  async transfer(callSid: string, to: string): Promise<void> {
    this.requests.push({ kind: 'transfer', callSid, to });
  }
  async send(to: string): Promise<{ id: string }> {
    this.requests.push({ kind: 'sms', to });
    return { id: `fake-${this.requests.length}` };
  }
}

function fakeStatus(state: string): CallStatusMeaning {
  if (state === 'ended') return { ended: true, outcome: 'completed' };
  if (state === 'dropped') return { ended: true, outcome: 'failed' };
  return { ended: false };
}

const callSchema = z.object({ id: z.string().min(1), to: z.string().optional(), from: z.string().optional() });
const eventSchema = z.object({ id: z.string().min(1), state: z.string().min(1) });

function fakeWebhooks(streamUrl: string, port: CarrierCallPort): Router {
  const router = Router();
  const json = express.json({ limit: '8kb' });
  router.post(FAKE_PATHS.calls, json, (req, res) => {
    const parsed = callSchema.safeParse(req.body);
    if (!parsed.success) return sendWebhookError(res, 400, BAD_REQUEST, 'bad call');
    const { id, to, from } = parsed.data;
    const admission = port.admit({ carrier: FAKE, callSid: id, ...(to ? { to } : {}), ...(from ? { from } : {}) });
    port.count('fake_calls', admission.kind);
    if (admission.kind !== 'connect') return res.json({ action: 'reject', reason: admission.kind });
    res.json({ action: 'stream', url: streamUrl, params: { [STREAM_PARAM.callSid]: id, [STREAM_PARAM.vertical]: admission.verticalId, [STREAM_PARAM.version]: admission.version } });
  });
  router.post(FAKE_PATHS.events, json, async (req, res) => {
    const parsed = eventSchema.safeParse(req.body);
    if (!parsed.success) return sendWebhookError(res, 400, BAD_REQUEST, 'bad event');
    const forwarded = await port.statusChanged({ carrier: FAKE, callSid: parsed.data.id, status: parsed.data.state, ...fakeStatus(parsed.data.state) });
    port.count('fake_events', forwarded ? 'forwarded' : 'duplicate');
    res.status(204).end();
  });
  return router;
}

export interface FakeCarrier extends Carrier {
  readonly callControl: RecordingCallControl;
}

export function createFakeCarrier(ctx: CarrierContext): FakeCarrier {
  const token = ctx.env?.FAKE_CARRIER_TOKEN ?? null;
  const control = new RecordingCallControl();
  const streamUrl = toWebSocketUrl(ctx.publicUrl) + FAKE_PATHS.stream;
  return {
    name: FAKE,
    serializer: fakeSerializer,
    media: FAKE_MEDIA,
    signatureCheck: token !== null,
    stream: {
      path: FAKE_PATHS.stream,
      metricsRoute: 'fake_stream',
      authenticate(req) {
        if (!token) return { ok: true };
        const given = new URL(req.url, 'http://x').searchParams.get('token');
        return given === token ? { ok: true } : { ok: false, status: 401, code: 'FAKE_TOKEN_INVALID', outcome: 'bad_token' };
      },
    },
    webhooks: (port) => fakeWebhooks(streamUrl, port),
    callControl: control,
    sms: control,
    callStatus: fakeStatus,
  };
}

/** The registration line a real carrier would add to src/telephony/carriers.ts. */
export const fakeCarrier: CarrierModule = { name: FAKE, create: createFakeCarrier };
