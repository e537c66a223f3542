/**
 * Recording with consent, against the fake Twilio API: the consent line is heard first, then a
 * dual-channel recording is started through the call's Recordings resource, its sid and media URL
 * land on the call row and in `calls show`; a caller who objects stops it (stop_recording); a
 * recording Twilio refuses leaves a coded error on the row and the call goes on unrecorded.
 */
import { callsShow, eventually, rtScenario, RT_NUMBER, startHarness, type Harness } from './realtimeHarness.js';
import { TwilioCaller } from './twilioCaller.js';

const CONSENT = 'This call is recorded, say stop recording if you prefer it is not.';

const scenarios = [
  rtScenario('object', `
opening:
  - say: ${CONSENT}
  - say: Hello, thanks for calling the test line.
turns:
  - caller: Please don't record me.
    agent:
      - call: { tool: stop_recording }
      - say: I've stopped the recording. How can I help?
`),
  rtScenario('quiet', `
opening:
  - say: ${CONSENT}
  - say: Hello, thanks for calling the test line.
turns:
  - caller: What time do you open on monday?
    agent:
      - say: We open at nine.
`),
];

describe('recording with consent', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness({
      scenarios, audio: 'pcmu',
      manifest: { tools: 'end_call, stop_recording', extra: `recording: { enabled: true, consentLine: "${CONSENT}" }` },
    });
  });
  afterAll(async () => {
    await h?.close();
  });

  it('speaks the consent line first, records in dual channel, and stops when the caller objects', async () => {
    const caller = await TwilioCaller.place({ baseUrl: h.baseUrl, to: RT_NUMBER, scenario: 'rt/object', speed: 4 });
    const start = await h.twilio.waitFor((r) => r.kind === 'recording_create' && r.callSid === caller.callSid, 20_000);
    // By the time the recording was asked for, the consent line had been played and acknowledged.
    expect(caller.acked.length).toBeGreaterThan(0);
    expect(start.form).toMatchObject({ RecordingChannels: 'dual', RecordingTrack: 'both' });
    const rec = [...h.twilio.voice.recordings.values()].find((r) => r.callSid === caller.callSid)!;

    const call = await eventually(async () => {
      const c = await h.store.calls.getBySid(caller.callSid);
      const r = c ? await h.store.transfers.recordingOf(c.id) : null;
      return r?.status === 'recording' ? c : undefined;
    }, 'recording on the call row');
    expect(await h.store.transfers.recordingOf(call.id)).toEqual({ sid: rec.sid, url: expect.stringMatching(new RegExp(`/Recordings/${rec.sid}$`)), status: 'recording', error: null });

    await caller.waitPlayed();
    await caller.say("Please don't record me.");
    await h.twilio.waitFor((r) => r.kind === 'recording_update' && r.callSid === caller.callSid, 20_000);
    expect(rec.status).toBe('stopped');
    await eventually(async () => (await h.store.transfers.recordingOf(call.id))?.status === 'stopped', 'stopped on the row');
    await caller.hangUp();
    await eventually(async () => (await h.store.calls.getBySid(caller.callSid))?.endedAt, 'call ended');

    const shown = await callsShow(h.store, call.id);
    expect(shown).toContain(`recording ${rec.sid} stopped at the caller's request`);
    expect(shown).toContain(`/Recordings/${rec.sid}`);
  }, 60_000);

  it('goes on unrecorded, with the refusal\'s code on the call, when Twilio refuses to record', async () => {
    h.twilio.failMatching((r) => r.kind === 'recording_create', 400, 21230);
    const caller = await TwilioCaller.place({ baseUrl: h.baseUrl, to: RT_NUMBER, scenario: 'rt/quiet', speed: 4 });
    await h.twilio.waitFor((r) => r.kind === 'recording_create' && r.callSid === caller.callSid, 20_000);
    const call = await eventually(async () => {
      const c = await h.store.calls.getBySid(caller.callSid);
      const r = c ? await h.store.transfers.recordingOf(c.id) : null;
      return r?.status ? { c, r } : undefined;
    }, 'recording state on the call row');
    expect(call.r).toEqual({ sid: null, url: null, status: 'refused', error: 'TWILIO_REJECTED:21230' });

    // The call goes on: the greeting plays and the caller is answered.
    await caller.waitPlayed();
    const before = caller.media().length;
    await caller.say('What time do you open on monday?');
    await caller.waitFor(() => caller.media().length > before + 20, 'the answer', 20_000);
    await caller.hangUp();
    const row = await eventually(async () => {
      const r = await h.store.calls.getBySid(caller.callSid);
      return r?.endedAt ? r : undefined;
    }, 'call ended');
    expect(row.endReason).toBe('caller_hangup');
    expect(await callsShow(h.store, row.id)).toContain('not recorded: the carrier refused (TWILIO_REJECTED:21230)');
  }, 60_000);
});
