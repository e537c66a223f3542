import { buildBriefing, toolsDone } from '../../../src/realtime/briefing.js';

describe('the warm transfer briefing', () => {
  const conversation = [
    { role: 'assistant' as const, text: 'Hello, thanks for calling.' },
    { role: 'caller' as const, text: 'Hi, I was charged twice for my haircut last week and want the money back.' },
    { role: 'system' as const, text: 'Earlier in this call the tool salon_find_booking returned: {"found":true}' },
    { role: 'system' as const, text: 'Earlier in this call the tool salon_issue_refund returned: {"error":"not allowed"}' },
    { role: 'system' as const, text: 'Earlier in this call the tool transfer_to_human returned: {"transferred":false}' },
    { role: 'caller' as const, text: 'ok' },
  ];

  it('says who is calling about what, in their words, and what was already done', () => {
    const text = buildBriefing({ line: 'Salon', reason: 'Refund for a double charge.', conversation });
    expect(text).toBe(
      'Transfer from the Salon assistant. The caller needs: Refund for a double charge. ' +
      'In their words: Hi, I was charged twice for my haircut last week and want the money back. ' +
      'Already done on this call: find booking.',
    );
  });

  it('lists only tools that succeeded, never the call-control ones, and says when nothing was done', () => {
    expect(toolsDone(conversation)).toEqual(['find booking']);
    expect(buildBriefing({ line: 'Salon', reason: 'wants a person', conversation: [] })).toBe(
      'Transfer from the Salon assistant. The caller needs: wants a person. Nothing has been done on the call yet.',
    );
  });

  it('keeps a long utterance short', () => {
    const long = Array.from({ length: 80 }, (_, i) => `word${i}`).join(' ');
    const text = buildBriefing({ line: 'X', reason: 'r', conversation: [{ role: 'caller', text: long }] });
    expect(text).toContain('word29…');
    expect(text).not.toContain('word30');
  });
});
