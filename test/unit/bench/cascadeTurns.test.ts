/** The cascade bench's arithmetic: the engine's own time per turn from a call's latency samples. */
import { benchScenario, turnFigures } from '../../../bench/sections/cascade.js';
import { parseScenario } from '../../../src/scenarios/index.js';

const turn = (callId: string, n: number, stages: Record<string, number>) =>
  Object.entries(stages).map(([metric, valueMs]) => ({ callId, turn: n, metric, valueMs }));

describe('cascade bench turn figures', () => {
  it('sums final transcript → request out and voice audio in → first frame out, per turn', () => {
    const samples = [
      ...turn('a', 1, { 'turn.transcription': 10, 'turn.text_request': 12, 'turn.first_text_token': 40, 'turn.first_tts_audio': 90, 'turn.speech_end_to_first_audio': 91 }),
      ...turn('a', 2, { 'turn.transcription': 5, 'turn.text_request': 9, 'turn.first_text_token': 30, 'turn.first_tts_audio': 60, 'turn.speech_end_to_first_audio': 63 }),
      // Another call's turn 1 is its own turn.
      ...turn('b', 1, { 'turn.transcription': 1, 'turn.text_request': 1.5, 'turn.first_tts_audio': 20, 'turn.speech_end_to_first_audio': 20.5 }),
      // A turn without its voice audio (the caller cut in) has no engine figure, but its stages count.
      ...turn('b', 2, { 'turn.transcription': 3, 'turn.text_request': 4 }),
      // The greeting (turn 0) is not a caller turn.
      { callId: 'a', turn: 0, metric: 'turn.first_tts_audio', valueMs: 500 },
    ];
    const f = turnFigures(samples);
    expect(f.engineAdded.count).toBe(3);
    expect(f.engineAdded.p50).toBe(3); // a#1: 2 + 1
    expect(f.engineAdded.p99).toBe(7); // a#2: 4 + 3
    expect(f.dispatch.p99).toBe(4);
    expect(f.voiceToFrame.p50).toBe(1);
    expect(f.stages['turn.transcription']!.count).toBe(4);
    expect(f.stages['turn.first_tts_audio']!.p99).toBe(90);
    expect(f.requestToToken.count).toBe(2);
    expect(f.tokenToVoice.p50).toBe(50);
  });

  it('the bench scenario parses, with one caller turn per answer', () => {
    const s = parseScenario(benchScenario(3), { vertical: 'cbench', name: 'bench' });
    expect(s.turns.map((t) => t.caller)).toEqual(['Question 1, what are your opening hours?', 'Question 2, what are your opening hours?', 'Question 3, what are your opening hours?']);
  });
});
