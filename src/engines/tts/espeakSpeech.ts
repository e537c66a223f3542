/** The offline voice: Debian's espeak-ng (through src/audio's synthesiser), μ-law 8 kHz. */
import { PCMU8K, SpeechSynthesizer, espeakAvailable } from '../../audio/index.js';
import type { CannedVoiceSpec, SpeechRenderer } from './types.js';

export { espeakAvailable };

export function espeakSpeechRenderer(): SpeechRenderer {
  const synth = new SpeechSynthesizer({ engine: 'espeak', cacheEntries: 64 });
  return {
    provider: 'espeak',
    async render(text: string, _voice: CannedVoiceSpec): Promise<Uint8Array> {
      return (await synth.clip(text, PCMU8K)).bytes;
    },
  };
}
