import { addAudio, heardText, newSpokenItem, ulawMs } from '../../../../src/engines/cascade/spoken.js';
import { speakableCut, ttsUrl } from '../../../../src/engines/cascade/tts.js';
import { transcriptionSessionUpdate, transcriptionUrl } from '../../../../src/engines/cascade/stt.js';

/** `ms` of μ-law silence, base64. */
const audio = (ms: number): string => Buffer.alloc(ms * 8, 0xff).toString('base64');

/** An item whose text is spoken evenly over `ms`, alignment in two chunks. */
function spoken(text: string, ms: number, withAlignment = true): ReturnType<typeof newSpokenItem> {
  const item = newSpokenItem('item_1', 'resp_1');
  item.text = text;
  const chars = [...text];
  const per = ms / chars.length;
  const half = Math.floor(chars.length / 2);
  const first = chars.slice(0, half);
  const second = chars.slice(half);
  const firstMs = Math.round(half * per);
  addAudio(item, audio(firstMs), withAlignment ? first : undefined, withAlignment ? first.map((_, i) => i * per) : undefined);
  // The second chunk's times are relative to the chunk, as the service sends them.
  addAudio(item, audio(ms - firstMs), withAlignment ? second : undefined, withAlignment ? second.map((_, i) => (half + i) * per - firstMs) : undefined);
  return item;
}

describe('what the caller heard of a cut answer', () => {
  const text = 'Starter covers scheduling. Pro adds reminders and reporting.';

  it('keeps the words whose characters had started, from the alignment across chunks', () => {
    const item = spoken(text, 6000);
    // 3,000 ms of 6,000: the first 30 characters had started, up to "...scheduling. Pro".
    expect(heardText(item, 3000)).toBe('Starter covers scheduling. Pro');
    // A little further, "adds" is under way: a word cut in the middle is not kept.
    expect(heardText(item, 3300)).toBe('Starter covers scheduling. Pro');
    expect(heardText(item, 3600)).toBe('Starter covers scheduling. Pro adds');
    expect(heardText(item, 0)).toBe('');
  });

  it('keeps the whole text once every audio chunk was played and the voice had finished', () => {
    const item = spoken(text, 6000);
    item.audioDone = true;
    expect(heardText(item, 6000)).toBe(text);
  });

  it('falls back to the share of audio played when the voice sent no alignment', () => {
    const item = spoken(text, 6000, false);
    const heard = heardText(item, 1500);
    expect(text.startsWith(heard)).toBe(true);
    expect(heard).toBe('Starter covers');
  });

  it('measures μ-law audio from its base64', () => {
    expect(ulawMs(audio(20))).toBe(20);
    expect(ulawMs(Buffer.alloc(161).toString('base64'))).toBeCloseTo(20.125);
  });
});

describe('where streamed text is given to the voice', () => {
  it('cuts at the last sentence or clause end followed by a space', () => {
    expect(speakableCut('Sure, one moment. Let me check')).toBe('Sure, one moment. '.length);
    expect(speakableCut('Reminders go out by text and email, and')).toBe('Reminders go out by text and email, '.length);
  });

  it('waits for more text when the clause is too short or has not ended', () => {
    expect(speakableCut('Yes, ')).toBe(0);
    expect(speakableCut('Pro is forty nine dollars')).toBe(0);
    expect(speakableCut('It costs $49.99 a month')).toBe(0);
  });
});

describe('service endpoints', () => {
  it('dials the multi-context TTS socket with ulaw_8000 on the ws form of the API URL', () => {
    const url = new URL(ttsUrl({ baseUrl: 'https://api.elevenlabs.io', apiKey: 'k', voiceId: '21m00Tcm4TlvDq8ikWAM', modelId: 'eleven_flash_v2_5' }));
    expect(url.protocol).toBe('wss:');
    expect(url.pathname).toBe('/v1/text-to-speech/21m00Tcm4TlvDq8ikWAM/multi-stream-input');
    expect(url.searchParams.get('output_format')).toBe('ulaw_8000');
    expect(url.searchParams.get('model_id')).toBe('eleven_flash_v2_5');
    expect(new URL(ttsUrl({ baseUrl: 'http://127.0.0.1:9/', apiKey: 'k', voiceId: 'v', modelId: 'm' })).protocol).toBe('ws:');
  });

  it('opens a transcription session (not a model one) and configures μ-law, VAD, the model, the language and the prompt', () => {
    const url = new URL(transcriptionUrl('wss://api.openai.com/v1/realtime?model=gpt-realtime&scenario=x'));
    expect(url.searchParams.get('intent')).toBe('transcription');
    expect(url.searchParams.has('model')).toBe(false);
    expect(url.searchParams.get('scenario')).toBe('x');
    const update = transcriptionSessionUpdate({
      turnDetection: { type: 'server_vad', threshold: 0.5, prefixPaddingMs: 300, silenceDurationMs: 600, interruptResponse: true, createResponse: true },
      transcription: { model: 'ignored', language: 'es' },
    }, 'gpt-4o-mini-transcribe', 'Hola');
    expect(update).toEqual({
      type: 'session.update',
      session: {
        type: 'transcription',
        audio: {
          input: {
            format: { type: 'audio/pcmu' },
            transcription: { model: 'gpt-4o-mini-transcribe', language: 'es', prompt: 'Hola' },
            turn_detection: { type: 'server_vad', threshold: 0.5, prefix_padding_ms: 300, silence_duration_ms: 600 },
            noise_reduction: null,
          },
        },
      },
    });
  });
});
