import { log } from './demo-hooks.js';
import { byId } from './dom.js';
import { attempt } from './notices.js';
import { http } from './page-context.js';
import { currentSession } from './session-store.js';
import { showPhase } from './views.js';

const createForm = byId<HTMLFormElement>('create-form');
const createTitle = byId<HTMLInputElement>('create-title');
const joinForm = byId<HTMLFormElement>('join-form');
const joinId = byId<HTMLInputElement>('join-id');

/** The lobby: create a room (the creator hosts it) or join one by id. */
export function initLobby(joinRoom: (roomId: string) => Promise<void>): void {
  createForm.addEventListener('submit', (e) => {
    e.preventDefault();
    void attempt('Creating the room', async () => {
      const created = await http.createRoom(createTitle.value.trim());
      log(`created room ${created.id}`);
      await joinRoom(created.id);
    });
  });
  joinForm.addEventListener('submit', (e) => {
    e.preventDefault();
    const roomId = joinId.value.trim();
    if (roomId) void joinRoom(roomId);
  });
}

export function showLobby(): void {
  const session = currentSession();
  // A ready-made title, so creating a room is one click.
  createTitle.value ||= session?.userId ? `${session.name}'s room` : 'demo room';
  showPhase('lobby');
}
