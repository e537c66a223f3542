/**
 * What a business expects of a call beyond the conversation (issue 18), built once per call:
 * transfers to a person (warm or cold), messages taken when nobody answers, and recording with
 * consent. The call session hands over closures; the tool environment exposes them to tools.
 */
import type { ReplayItem } from '../engines/index.js';
import type { Manifest } from '../manifest/index.js';
import type { Logger } from '../observability/index.js';
import { describeError } from '../shared/index.js';
import type { TransfersRepository } from '../store/index.js';
import type { CarrierCallServices } from '../telephony/index.js';
import type { ToolServices } from '../toolkit/index.js';
import { callMessages } from './callMessages.js';
import { CallRecording } from './callRecording.js';
import type { CallRecorder } from './records.js';
import type { StreamSplice } from './streamSplice.js';
import type { TransferEvents } from './transferEvents.js';
import { CallTransfers, type WarmTransferDeps } from './warmTransfer.js';

export interface CallFeatures {
  transfers: CallTransfers;
  recording: CallRecording;
  messages: NonNullable<ToolServices['messages']>;
}

export interface CallFeaturesInput {
  callSid: string;
  /** The number the caller dialled (caller ID for the person, sender of texts). */
  calledNumber: string | undefined;
  manifest: Manifest;
  carrier: CarrierCallServices;
  store: { transfers: TransfersRepository };
  events: TransferEvents | undefined;
  rec: Pick<CallRecorder, 'callId' | 'rowReady' | 'emit'>;
  log: Logger;
  signal: AbortSignal;
  splice(): StreamSplice | undefined;
  streamParams(): Record<string, string>;
  conversation(): readonly ReplayItem[];
  bridged(): void;
  timing?: WarmTransferDeps['timing'] | undefined;
}

export function createCallFeatures(i: CallFeaturesInput): CallFeatures {
  const from = i.calledNumber ?? i.manifest.numbers[0] ?? '';
  const callId = (): string => i.rec.callId;
  const transfers = new CallTransfers({
    callId, callSid: i.callSid, vertical: i.manifest.id, line: i.manifest.name, spec: i.manifest.transfer, from,
    control: i.carrier.warmTransfer, store: i.store.transfers, events: i.events, log: i.log, signal: i.signal, rowReady: i.rec.rowReady,
    record: (type, data) => i.rec.emit(type, data),
    splice: i.splice, streamParams: i.streamParams, conversation: i.conversation, bridged: i.bridged, ...(i.timing ? { timing: i.timing } : {}),
  });
  const recording = new CallRecording({
    spec: i.manifest.recording, callSid: i.callSid, control: i.carrier.recording, log: i.log,
    save: (r) => {
      void i.rec.rowReady
        .then(() => i.store.transfers.setRecording(callId(), r))
        .catch((err: unknown) => i.log.warn('saving the recording state failed', { err: describeError(err) }));
    },
  });
  const messages = callMessages({
    callId, rowReady: i.rec.rowReady, manifest: i.manifest, store: i.store.transfers, sms: i.carrier.sms, from, log: i.log,
  });
  return { transfers, recording, messages };
}
