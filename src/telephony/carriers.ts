/**
 * The carriers this build serves, one registration line each. The gateway mounts each one's
 * webhooks and stream path, and the runtime picks each call's call control by its name.
 */
import { ConfigError } from '../shared/index.js';
import type { Carrier, CarrierContext, CarrierModule } from './carrier.js';
import { twilioCarrier } from './twilio/index.js';
import { webrtcCarrier } from './webrtc/index.js';
import { chatCarrier } from './chat/index.js';

export const CARRIERS: readonly CarrierModule[] = [
  twilioCarrier,
  webrtcCarrier,
  chatCarrier,
];

/** Builds every registered carrier (or `modules`) for this process. */
export function createCarriers(ctx: CarrierContext, modules: readonly CarrierModule[] = CARRIERS): Carrier[] {
  const carriers = modules.map((m) => {
    const carrier = m.create(ctx);
    if (carrier.name !== m.name) throw new ConfigError(`carrier module "${m.name}" built a carrier named "${carrier.name}"`);
    return carrier;
  });
  checkCarriers(carriers);
  return carriers;
}

/** Names and stream paths must be unique, and each serializer must speak for its carrier. */
export function checkCarriers(carriers: readonly Carrier[]): void {
  const names = new Set<string>();
  const paths = new Set<string>();
  for (const c of carriers) {
    if (names.has(c.name)) throw new ConfigError(`carrier "${c.name}" is registered twice`);
    if (paths.has(c.stream.path)) throw new ConfigError(`carrier "${c.name}": stream path ${c.stream.path} is already taken`);
    if (c.serializer.carrier !== c.name) throw new ConfigError(`carrier "${c.name}": its serializer names "${c.serializer.carrier}"`);
    if (!(c.media.frameBytes > 0 && c.media.frameMs > 0)) throw new ConfigError(`carrier "${c.name}": media frames must have a size and a duration`);
    names.add(c.name);
    paths.add(c.stream.path);
  }
}
