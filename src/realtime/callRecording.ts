/**
 * Recording with consent: when the vertical records calls, the consent line is spoken (and heard)
 * first, then the carrier starts a dual-channel recording while the greeting plays. A carrier that
 * cannot record at all (no Twilio credentials) means the line is not said: the caller is never
 * told a call is recorded when it cannot be. The recording
 * sid and media URL go on the call row. A carrier that refuses (or cannot record) leaves a clear,
 * coded log line and the call row marked 'refused' with the code; the call goes on. A caller who
 * objects stops it (the `stop_recording` tool): 'stopped', and one that objects before it started
 * keeps it from starting.
 */
import type { RecordingSpec } from '../manifest/index.js';
import type { Logger } from '../observability/index.js';
import { AppError } from '../shared/index.js';
import type { RecordingStatus } from '../store/index.js';
import type { RecordingControl } from '../telephony/index.js';

export const RECORDING_ERROR = {
  unavailable: 'RECORDING_UNAVAILABLE',
  refused: 'RECORDING_REFUSED',
  stopFailed: 'RECORDING_STOP_FAILED',
} as const;

export interface CallRecordingDeps {
  spec: RecordingSpec;
  callSid: string;
  control: RecordingControl | undefined;
  /** Writes the state on the call row (after the row exists). */
  save(r: { status: RecordingStatus; sid?: string; url?: string; error?: string }): void;
  log: Logger;
}

type State = 'off' | 'starting' | 'recording' | 'stopped' | 'refused';

export class CallRecording {
  private state: State = 'off';
  private sid: string | undefined;
  private starting: Promise<void> | undefined;

  constructor(private readonly d: CallRecordingDeps) {}

  get recording(): boolean {
    return this.state === 'recording';
  }

  /** Greets the caller: consent line first when recording, the recording started once it is heard. */
  async greet(speak: (text: string) => Promise<void>, greeting: string): Promise<void> {
    if (!this.d.spec.enabled) return speak(greeting);
    if (!this.d.control) {
      this.state = 'refused';
      this.d.log.warn('recording is enabled but this carrier cannot record (no credentials?): consent line skipped, call not recorded', { code: RECORDING_ERROR.unavailable });
      this.d.save({ status: 'refused', error: RECORDING_ERROR.unavailable });
      return speak(greeting);
    }
    await speak(this.d.spec.consentLine);
    if (this.state === 'off') this.starting = this.start();
    await speak(greeting);
  }

  /** The caller objected. */
  async stop(): Promise<{ wasRecording: boolean }> {
    if (this.state === 'off') {
      this.state = 'stopped';
      this.d.save({ status: 'stopped' });
      return { wasRecording: false };
    }
    await this.starting;
    if (this.state !== 'recording' || !this.sid || !this.d.control) return { wasRecording: false };
    try {
      await this.d.control.stop(this.d.callSid, this.sid);
    } catch (err) {
      this.d.log.error('stopping the recording failed', { code: RECORDING_ERROR.stopFailed, cause: codeOf(err) });
      throw new AppError(RECORDING_ERROR.stopFailed, 'the recording could not be stopped', { cause: err });
    }
    this.state = 'stopped';
    this.d.save({ status: 'stopped' });
    this.d.log.info('recording stopped at the caller\'s request');
    return { wasRecording: true };
  }

  private async start(): Promise<void> {
    this.state = 'starting';
    try {
      const r = await this.d.control!.start(this.d.callSid);
      this.sid = r.sid;
      this.state = 'recording';
      this.d.save({ status: 'recording', sid: r.sid, url: r.url });
      this.d.log.info('recording started', { recordingSid: r.sid });
    } catch (err) {
      this.refused(codeOf(err), 'the carrier refused to record; the call goes on unrecorded', err);
    }
  }

  private refused(code: string, message: string, err: unknown): void {
    this.state = 'refused';
    const twilioCode = err instanceof AppError ? err.details?.twilioCode : undefined;
    const error = twilioCode !== undefined ? `${code}:${String(twilioCode)}` : code;
    this.d.log.error(message, { code: RECORDING_ERROR.refused, cause: error });
    this.d.save({ status: 'refused', error });
  }
}

function codeOf(err: unknown): string {
  return err instanceof AppError ? err.code : 'UNKNOWN';
}
