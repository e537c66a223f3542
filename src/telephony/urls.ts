/** Public URLs as a carrier sees them (what it signs and where it connects). */

export function publicBase(publicUrl: string): string {
  return publicUrl.replace(/\/+$/, '');
}

/** https://host/x → wss://host/x (http → ws). */
export function toWebSocketUrl(publicUrl: string): string {
  return publicBase(publicUrl).replace(/^http(s?):\/\//i, (_m, s: string) => `ws${s}://`);
}

/** An instance id as it may appear in a stream URL (and in the proxy's routing rule). */
export const INSTANCE_ID_PATTERN = /^[A-Za-z0-9_.-]{1,64}$/;

/**
 * The stream URL naming the instance that prepared the call (`…/twilio/stream/<instance>`), so a
 * path-routing proxy sends the stream back to it. Without an instance, the plain stream URL.
 */
export function streamUrlFor(streamUrl: string, instance: string | undefined): string {
  if (!instance) return streamUrl;
  // The instance is a path segment; a query (`--workers`' `?sbw=`) stays after it.
  const q = streamUrl.indexOf('?');
  const [path, query] = q < 0 ? [streamUrl, ''] : [streamUrl.slice(0, q), streamUrl.slice(q)];
  return `${path.replace(/\/+$/, '')}/${encodeURIComponent(instance)}${query}`;
}

/**
 * Splits a request path into a carrier stream path and the instance it names, when `path` is
 * one of `streamPaths` or one of them followed by `/<instance>`. `instance` is null when the
 * segment is present but not a valid instance id (refused by the caller).
 */
export function matchStreamPath(path: string, streamPaths: Iterable<string>): { streamPath: string; instance?: string | null } | undefined {
  for (const p of streamPaths) {
    if (path === p) return { streamPath: p };
    if (path.startsWith(`${p}/`)) {
      let segment: string;
      try {
        segment = decodeURIComponent(path.slice(p.length + 1));
      } catch {
        return { streamPath: p, instance: null };
      }
      return { streamPath: p, instance: INSTANCE_ID_PATTERN.test(segment) ? segment : null };
    }
  }
  return undefined;
}
