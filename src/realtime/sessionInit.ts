/** What a CallSession is built from: its dependencies (per gateway) and its init (per call). */
import type { CompiledVertical } from '../catalog/index.js';
import type { ModelEngine } from '../engines/index.js';
import type { Logger } from '../observability/index.js';
import type { Db, TransfersRepository } from '../store/index.js';
import type { Manifest } from '../manifest/index.js';
import type { CarrierCallServices } from '../telephony/index.js';
import type { LocalVoice } from './localVoice.js';
import type { CallFeaturesInput } from './callFeatures.js';
import type { CallStore } from './records.js';
import type { CallSessionOptions } from './sessionOptions.js';

export interface CallSessionDeps {
  store: CallStore & { dbForVertical(manifest: Manifest): Db; transfers: TransfersRepository };
  voice: LocalVoice;
  logger: Logger;
  options: CallSessionOptions;
  /** The `onTransferEvent` hook's listeners. */
  transferEvents?: CallFeaturesInput['events'];
}

export interface CallSessionInit<S = unknown> {
  callId: string;
  callSid: string;
  /** The carrier the call came in on: its call control, SMS sender and media format. */
  carrierServices: CarrierCallServices;
  vertical: CompiledVertical;
  engine: Promise<ModelEngine>;
  from?: string;
  to?: string;
  scenario?: string;
  traceId: string;
  /** Continue the row the preparing instance wrote (a claimed call) / the instance serving it (calls.owner). */
  adoptRow?: boolean;
  owner?: string;
  /** No stream within prepareTtlMs (default: end, no_stream); a fleet first checks for a claim elsewhere. */
  noStream?(session: S): void;
  /** The call ended; `finalized` settles when its records are written. */
  onEnded(session: S, finalized: Promise<void>): void;
}
