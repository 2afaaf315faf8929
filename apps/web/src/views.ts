import { hooks, type Phase } from './demo-hooks.js';
import { byId } from './dom.js';

const signinView = byId('signin-view');
const lobbyView = byId('lobby-view');
const roomView = byId('room-view');
const ROOM_PHASES: ReadonlySet<Phase> = new Set(['joining', 'joined', 'kicked', 'ended', 'error']);

/**
 * Switches the page to a phase: one view shows, and controls marked `data-needs-live` (composer, like,
 * gifts) work only while the room is joined and live, so an ended or refused room cannot be written to.
 */
export function showPhase(phase: Phase): void {
  hooks.phase = phase;
  signinView.hidden = phase !== 'signed-out';
  lobbyView.hidden = phase !== 'lobby';
  roomView.hidden = !ROOM_PHASES.has(phase);
  document.body.dataset.phase = phase;
  for (const control of document.querySelectorAll<HTMLButtonElement | HTMLInputElement | HTMLSelectElement>('[data-needs-live]')) {
    control.disabled = phase !== 'joined';
  }
}
