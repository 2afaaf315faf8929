import { initComposer } from './barrage-composer.js';
import { renderCohost } from './cohost-panel.js';
import { initGifts } from './gifts-panel.js';
import { initLikes } from './likes-panel.js';
import { initLobby, showLobby } from './lobby.js';
import { initModeration, renderRole } from './moderation-panel.js';
import { pageParams } from './page-context.js';
import { ensureRandomUuid } from './random-uuid.js';
import { initRoomView, joinRoom, leaveRoom } from './room-view.js';
import { currentSession } from './session-store.js';
import { initSignIn, showSignIn } from './sign-in.js';

/**
 * The liveroom demo room page (PROTOCOL.md, over @liveroom/sdk): sign in with a development token,
 * create or join a room, watch barrage fly across a video-area placeholder; like, send gifts, take a
 * co-host seat, moderate. Plain TypeScript + DOM, bundled by Vite into dist/web/ and served by the
 * gateway at `/`. Each panel is its own module; this one wires them together.
 */

ensureRandomUuid();

/** After sign-in (or on load with a stored session): the room in the address, or the lobby. */
async function enter(): Promise<void> {
  const roomId = pageParams.get('room');
  if (roomId) await joinRoom(roomId);
  else showLobby();
}

initSignIn({ onSignedIn: enter, onSigningOut: leaveRoom });
initLobby(joinRoom);
initRoomView(showLobby);
initComposer();
initLikes();
initGifts();
initModeration();
renderRole();
renderCohost();

if (currentSession()) void enter();
else showSignIn();
