/** Who uses this tab: a development token, or an anonymous viewer (token null). Kept per tab. */
export interface Session {
  token: string | null;
  userId: string | null;
  name: string;
  admin: boolean;
}

const SESSION_KEY = 'liveroom-demo-session';

let current: Session | null = load();

export function currentSession(): Session | null {
  return current;
}

/** The signed-in user's id; null when signed out or anonymous. */
export function myUserId(): string | null {
  return current?.userId ?? null;
}

export function saveSession(next: Session | null): void {
  current = next;
  // sessionStorage, not localStorage: two tabs of one browser can be two different users.
  if (next) sessionStorage.setItem(SESSION_KEY, JSON.stringify(next));
  else sessionStorage.removeItem(SESSION_KEY);
}

function load(): Session | null {
  try {
    const raw = sessionStorage.getItem(SESSION_KEY);
    return raw ? (JSON.parse(raw) as Session) : null;
  } catch {
    return null;
  }
}
