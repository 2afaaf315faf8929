/**
 * Rendezvous (highest-random-weight) hashing: every client ranks the gateway URLs the same way for
 * a room, so a room's viewers gather on one node while it is up, and move together to the same
 * next node when it fails. Adding or removing a URL only moves the rooms that ranked it first.
 */
export function rankGateways(urls: readonly string[], key: string): string[] {
  return [...urls]
    .map((url) => ({ url, weight: fnv1a(`${url}#${key}`) }))
    .sort((a, b) => b.weight - a.weight || a.url.localeCompare(b.url))
    .map((r) => r.url);
}

/** 32-bit FNV-1a: tiny, fast, and identical in browsers and Node. */
function fnv1a(text: string): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    hash ^= text.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193);
  }
  return hash >>> 0;
}

/** Full jitter backoff: a random wait in [0, min(cap, base * 2^attempt)). */
export function backoffMs(attempt: number, baseMs = 200, capMs = 5000): number {
  return Math.floor(Math.random() * Math.min(capMs, baseMs * 2 ** attempt));
}
