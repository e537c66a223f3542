/**
 * The per-call environment tools run in (`CallToolEnv`): the vertical's database, the call's
 * recorder and abort signal, SMS, and call control. Hang-up and transfer first let the caller
 * hear what the agent said before the tool ran (the goodbye, the "connecting you now").
 */
import type { CompiledVertical } from '../catalog/index.js';
import type { Logger } from '../observability/index.js';
import type { Db } from '../store/index.js';
import type { SmsSender } from '../telephony/index.js';
import type { CallToolEnv, LanguageSwitchOutcome, ToolInvocationRecorder } from '../toolkit/index.js';
import type { CallFeatures } from './callFeatures.js';

export interface CallToolEnvInput {
  callId: string;
  vertical: CompiledVertical;
  db: Db;
  log: Logger;
  signal: AbortSignal;
  recorder: ToolInvocationRecorder;
  currentAgent(): string;
  sms: SmsSender | undefined;
  /** The number the caller dialled (SMS go out from it). */
  calledNumber: string | undefined;
  /** Waits until the caller has heard the agent's last words. */
  drain(): Promise<void>;
  transfer(to: string, announce: string | undefined): Promise<void>;
  hangUp(goodbye: string | undefined): Promise<void>;
  /** Warm transfers, messages and the recording. */
  features: CallFeatures;
  /** The call's language switch, when the call has one. */
  language?: () => { readonly language: string; readonly supported: string[]; request(wanted: string): Promise<LanguageSwitchOutcome> };
}

export function buildCallToolEnv(input: CallToolEnvInput): CallToolEnv {
  const { vertical, sms } = input;
  const humanNumber = vertical.manifest.fallback.humanNumber;
  const from = input.calledNumber ?? vertical.numbers[0] ?? '';
  return {
    callId: input.callId,
    vertical: vertical.id,
    db: input.db,
    logger: input.log.child({}, 'switchboard:tools'),
    callSignal: input.signal,
    recorder: input.recorder,
    currentAgent: input.currentAgent,
    services: {
      now: () => new Date(),
      ...(sms ? { sms: { send: (to: string, body: string, signal?: AbortSignal) => sms.send(to, from, body, signal) } } : {}),
      ...(humanNumber ? { humanNumber } : {}),
      ...(input.language ? { language: languageService(input.language) } : {}),
      call: {
        transfer: async (to, options) => {
          await input.drain();
          const { transfers } = input.features;
          const mode = options?.mode ?? vertical.manifest.transfer.mode;
          if (mode === 'warm' && transfers.warmAvailable) return transfers.warm(to, options?.reason ?? 'the caller asked for a person');
          // Cold, or warm on a carrier that cannot hold and dial (no credentials): put through.
          if (mode === 'warm') input.log.warn('warm transfer not available on this call; transferring cold', { code: 'TRANSFER_WARM_UNAVAILABLE' });
          await input.transfer(to, options?.announce);
          transfers.coldStarted();
          return { mode: 'cold', transferred: true };
        },
        hangUp: async (options) => {
          await input.drain();
          await input.hangUp(options?.goodbye);
        },
      },
      messages: input.features.messages,
      ...(vertical.manifest.recording.enabled ? { recording: { stop: () => input.features.recording.stop() } } : {}),
    },
  };
}

function languageService(lang: NonNullable<CallToolEnvInput['language']>): NonNullable<CallToolEnv['services']['language']> {
  return {
    current: () => lang().language,
    supported: () => lang().supported,
    switchTo: (wanted) => lang().request(wanted),
  };
}
