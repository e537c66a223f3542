/** Public URLs as a carrier sees them (what it signs and where it connects). */

export function publicBase(publicUrl: string): string {
  return publicUrl.replace(/\/+$/, '');
}

/** https://host/x → wss://host/x (http → ws). */
export function toWebSocketUrl(publicUrl: string): string {
  return publicBase(publicUrl).replace(/^http(s?):\/\//i, (_m, s: string) => `ws${s}://`);
}
