/**
 * Twilio onboarding: the account's phone numbers (`IncomingPhoneNumbers`, every page) and
 * pointing each one this deployment answers at the gateway: `VoiceUrl` → our voice webhook,
 * `StatusCallback` → our status webhook, both POST (what the routes expect and sign over).
 * `planNumberSync` is pure (what would change); `applyNumberSync` does it.
 */
import { z } from 'zod';
import { AppError } from '../../shared/index.js';
import { publicBase } from '../urls.js';
import { TWILIO_PATHS } from './protocol.js';
import { TwilioHttp, TWILIO_ERROR, type TwilioRestOptions } from './restHttp.js';

const numberSchema = z.object({
  sid: z.string().min(1),
  phone_number: z.string().min(1),
  friendly_name: z.string().nullish(),
  voice_url: z.string().nullish(),
  voice_method: z.string().nullish(),
  status_callback: z.string().nullish(),
  status_callback_method: z.string().nullish(),
  voice_application_sid: z.string().nullish(),
  trunk_sid: z.string().nullish(),
});

const pageSchema = z.object({
  incoming_phone_numbers: z.array(numberSchema),
  next_page_uri: z.string().nullish(),
});

export interface TwilioPhoneNumber {
  sid: string;
  /** E.164 */
  number: string;
  voiceUrl: string | null;
  voiceMethod: string | null;
  statusCallback: string | null;
  statusCallbackMethod: string | null;
  /** A voice application or SIP trunk set on the number takes precedence over its VoiceUrl. */
  overriddenBy: string | null;
}

/** What every number this deployment answers must have. */
export interface VoiceWebhooks {
  VoiceUrl: string;
  VoiceMethod: 'POST';
  StatusCallback: string;
  StatusCallbackMethod: 'POST';
}

export function voiceWebhooksFor(publicUrl: string): VoiceWebhooks {
  const base = publicBase(publicUrl);
  return { VoiceUrl: base + TWILIO_PATHS.voice, VoiceMethod: 'POST', StatusCallback: base + TWILIO_PATHS.status, StatusCallbackMethod: 'POST' };
}

/** Largest page Twilio serves. */
const PAGE_SIZE = 1000;
/** A guard against a `next_page_uri` that never ends. */
const MAX_PAGES = 1000;

export class TwilioNumbersClient {
  private readonly http: TwilioHttp;

  constructor(opts: TwilioRestOptions) {
    this.http = new TwilioHttp(opts);
  }

  /** Every incoming phone number of the account, following `next_page_uri` to the last page. */
  async list(signal?: AbortSignal): Promise<TwilioPhoneNumber[]> {
    const out: TwilioPhoneNumber[] = [];
    let path: string | null = `/IncomingPhoneNumbers.json?PageSize=${PAGE_SIZE}`;
    for (let page = 0; path; page++) {
      if (page >= MAX_PAGES) throw new AppError(TWILIO_ERROR.rejected, `Twilio kept paging past ${MAX_PAGES} pages`);
      const body = await this.http.request({ method: 'GET', path, ...(signal ? { signal } : {}) });
      const parsed = pageSchema.safeParse(body);
      if (!parsed.success) throw new AppError(TWILIO_ERROR.rejected, `Twilio answered an IncomingPhoneNumbers page this client does not understand (${parsed.error.issues[0]?.message ?? 'invalid'})`);
      for (const n of parsed.data.incoming_phone_numbers) out.push(toNumber(n));
      path = parsed.data.next_page_uri || null;
    }
    return out;
  }

  /** Sets the number's voice and status webhooks; returns the number as Twilio now has it. */
  async update(sid: string, webhooks: VoiceWebhooks, signal?: AbortSignal): Promise<TwilioPhoneNumber> {
    const body = await this.http.request({ method: 'POST', path: `/IncomingPhoneNumbers/${encodeURIComponent(sid)}.json`, form: { ...webhooks }, ...(signal ? { signal } : {}) });
    const parsed = numberSchema.safeParse(body);
    if (!parsed.success) throw new AppError(TWILIO_ERROR.rejected, `Twilio updated ${sid} but answered something this client does not understand`);
    return toNumber(parsed.data);
  }
}

function toNumber(n: z.infer<typeof numberSchema>): TwilioPhoneNumber {
  return {
    sid: n.sid,
    number: n.phone_number,
    voiceUrl: n.voice_url ?? null,
    voiceMethod: n.voice_method ?? null,
    statusCallback: n.status_callback ?? null,
    statusCallbackMethod: n.status_callback_method ?? null,
    overriddenBy: n.voice_application_sid ? `voice application ${n.voice_application_sid}` : n.trunk_sid ? `SIP trunk ${n.trunk_sid}` : null,
  };
}

export interface NumberSyncPlan {
  webhooks: VoiceWebhooks;
  /** Assigned numbers whose webhooks differ from ours: to update. */
  update: Array<{ number: string; vertical: string; sid: string; from: Pick<TwilioPhoneNumber, 'voiceUrl' | 'voiceMethod' | 'statusCallback' | 'statusCallbackMethod'> }>;
  /** Assigned numbers already pointing at us. */
  inSync: Array<{ number: string; vertical: string; sid: string }>;
  /** Numbers a vertical answers that the account does not have. */
  missing: Array<{ number: string; vertical: string }>;
  /** Account numbers no vertical answers (left alone). */
  unassigned: Array<{ number: string; sid: string; voiceUrl: string | null }>;
  /** Assigned numbers whose VoiceUrl Twilio ignores (a voice application or trunk is set). */
  overridden: Array<{ number: string; vertical: string; by: string }>;
}

/** What `numbers sync` has to change: `answered` is every number a vertical answers (number → vertical). */
export function planNumberSync(answered: ReadonlyMap<string, string>, account: readonly TwilioPhoneNumber[], publicUrl: string): NumberSyncPlan {
  const webhooks = voiceWebhooksFor(publicUrl);
  const plan: NumberSyncPlan = { webhooks, update: [], inSync: [], missing: [], unassigned: [], overridden: [] };
  const byNumber = new Map(account.map((n) => [n.number, n]));
  for (const [number, vertical] of [...answered].sort(([a], [b]) => a.localeCompare(b))) {
    const n = byNumber.get(number);
    if (!n) {
      plan.missing.push({ number, vertical });
      continue;
    }
    if (n.overriddenBy) plan.overridden.push({ number, vertical, by: n.overriddenBy });
    const same = n.voiceUrl === webhooks.VoiceUrl && n.voiceMethod?.toUpperCase() === 'POST'
      && n.statusCallback === webhooks.StatusCallback && n.statusCallbackMethod?.toUpperCase() === 'POST';
    if (same) plan.inSync.push({ number, vertical, sid: n.sid });
    else plan.update.push({ number, vertical, sid: n.sid, from: { voiceUrl: n.voiceUrl, voiceMethod: n.voiceMethod, statusCallback: n.statusCallback, statusCallbackMethod: n.statusCallbackMethod } });
  }
  for (const n of [...account].sort((a, b) => a.number.localeCompare(b.number))) {
    if (!answered.has(n.number)) plan.unassigned.push({ number: n.number, sid: n.sid, voiceUrl: n.voiceUrl });
  }
  return plan;
}
