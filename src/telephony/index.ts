/**
 * Telephony: one `Carrier` per phone carrier (carrier.ts), listed in carriers.ts.
 *
 * Adding a carrier is one folder plus one registration line:
 *   1. `src/telephony/<name>/index.ts` exports a `CarrierModule` whose `create(ctx)` returns a
 *      `Carrier`: its serializer (wire ⇄ CallEvent), stream path and upgrade authentication, its
 *      webhook routes built on the `CarrierCallPort` the server hands it (`admit` a call, report
 *      `statusChanged`, `count` outcomes), call control and SMS, its status normaliser and media
 *      format. It reads its own settings from `ctx.settings[<name>]` or `ctx.env`.
 *   2. `carriers.ts` gets `<name>Carrier,` in `CARRIERS`.
 * Nothing else changes: the gateway (src/server) mounts every carrier's routes and dispatches
 * stream upgrades by path; the runtime (src/realtime) finds a call's call control, SMS sender
 * and media format by the carrier name its stream (`CarrierConnection.carrier`) and its
 * webhook (`PrepareInput.carrier`) carry. test/integration/carriers.test.ts proves it with a
 * carrier defined only in the test.
 */
export * from './types.js';
export * from './errors.js';
export * from './carrier.js';
export { CARRIERS, createCarriers, checkCarriers } from './carriers.js';
export { PCMU_8K_20MS } from './media.js';
export { publicBase, toWebSocketUrl, streamUrlFor, matchStreamPath, INSTANCE_ID_PATTERN } from './urls.js';
export { formOf, sendWebhookError, BAD_REQUEST, type FormBody } from './webhook.js';
export { CarrierSocket, DEFAULT_START_TIMEOUT_MS, type CarrierSocketOptions } from './carrierSocket.js';
export * from './twilio/index.js';
export * from './http.js';
export * from './webrtc/index.js';
export * from './chat/index.js';
