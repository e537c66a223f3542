/** Reads the gateway's TwiML answer the way Twilio does: a stream to connect, or words and a hang-up. */

export type TwimlAnswer =
  | { kind: 'stream'; url: string; parameters: Record<string, string> }
  | { kind: 'hangup'; say: string | null }
  | { kind: 'other'; twiml: string };

function unescapeXml(s: string): string {
  return s.replace(/&(lt|gt|quot|apos|amp);/g, (_m, e: string) => ({ lt: '<', gt: '>', quot: '"', apos: "'", amp: '&' })[e] ?? _m);
}

function attr(tag: string, name: string): string | undefined {
  const m = new RegExp(`\\s${name}="([^"]*)"`).exec(tag);
  return m?.[1] === undefined ? undefined : unescapeXml(m[1]);
}

export function readTwimlAnswer(twiml: string): TwimlAnswer {
  const stream = /<Connect>\s*<Stream\b([^>]*?)\/?>([\s\S]*?)(?:<\/Stream>|$)/.exec(twiml);
  if (stream) {
    const url = attr(stream[1] ?? '', 'url');
    if (url) {
      const parameters: Record<string, string> = {};
      for (const p of (stream[2] ?? '').matchAll(/<Parameter\b([^>]*?)\/?>/g)) {
        const name = attr(p[1] ?? '', 'name');
        const value = attr(p[1] ?? '', 'value');
        if (name !== undefined && value !== undefined) parameters[name] = value;
      }
      return { kind: 'stream', url, parameters };
    }
  }
  if (/<Hangup\s*\/>/.test(twiml)) {
    const say = /<Say\b[^>]*>([\s\S]*?)<\/Say>/.exec(twiml);
    return { kind: 'hangup', say: say?.[1] !== undefined ? unescapeXml(say[1]) : null };
  }
  return { kind: 'other', twiml };
}
