import { ApiError } from './api.js';
import { hooks, log } from './demo-hooks.js';
import { append, byId } from './dom.js';
import { attempt } from './notices.js';
import { http, pageParams } from './page-context.js';
import { currentSession, saveSession } from './session-store.js';
import { showPhase } from './views.js';

const form = byId<HTMLFormElement>('signin-form');
const userInput = byId<HTMLInputElement>('signin-user');
const nameInput = byId<HTMLInputElement>('signin-name');
const adminCheck = byId<HTMLInputElement>('signin-admin');
const watchAnonButton = byId<HTMLButtonElement>('watch-anon');
const signOutButton = byId<HTMLButtonElement>('signout');
const whoami = byId('whoami');
const roomHint = byId('signin-room-hint');

export interface SignInHandlers {
  /** A session exists (signed in, or anonymous): go to the room in the address, or the lobby. */
  onSignedIn(): Promise<void>;
  /** Before the session is dropped: leave the open room. */
  onSigningOut(): void;
}

/**
 * Development sign-in: the gateway signs a token (POST /v1/dev/token, only with the development
 * JWT secret); "watch anonymously" connects without one, read-only as PROTOCOL §1 says.
 */
export function initSignIn(handlers: SignInHandlers): void {
  form.addEventListener('submit', (e) => {
    e.preventDefault();
    const userId = userInput.value.trim();
    const name = nameInput.value.trim() || undefined;
    const admin = adminCheck.checked;
    void attempt('Sign-in', async () => {
      const token = await devToken(userId, name, admin);
      saveSession({ token, userId, name: name ?? userId, admin });
      log(`signed in as ${userId}${admin ? ' (admin)' : ''}`);
      renderWho();
      await handlers.onSignedIn();
    });
  });

  watchAnonButton.addEventListener('click', () => {
    saveSession({ token: null, userId: null, name: 'anonymous', admin: false });
    log('watching anonymously');
    renderWho();
    void handlers.onSignedIn();
  });

  signOutButton.addEventListener('click', () => {
    handlers.onSigningOut();
    saveSession(null);
    renderWho();
    showSignIn();
  });
  renderWho();
}

export function showSignIn(): void {
  showPhase('signed-out');
  const invitedTo = pageParams.get('room');
  roomHint.replaceChildren();
  if (invitedTo) append(roomHint, `You were invited to room ${invitedTo}: sign in (or watch anonymously) to join it.`);
}

/** The top bar's "who am I", kept in step with the session. */
export function renderWho(): void {
  const session = currentSession();
  hooks.userId = session?.userId ?? null;
  whoami.textContent = !session
    ? ''
    : session.userId
      ? `${session.name} (${session.userId})${session.admin ? ' · admin' : ''}`
      : 'anonymous viewer (read-only)';
  signOutButton.hidden = !session;
}

async function devToken(userId: string, name: string | undefined, admin: boolean): Promise<string> {
  try {
    return (await http.devToken(userId, name, admin)).token;
  } catch (error) {
    // A 404 here means the endpoint is switched off, which deserves a clearer word than "not found".
    if (error instanceof ApiError && error.status === 404) {
      throw new ApiError('UNAUTHORIZED', 'the development token endpoint is off (the gateway does not run with the development JWT secret)', 404);
    }
    throw error;
  }
}
