import type { LiveroomClient } from '#sdk';

/** The room this page has open (one at a time) and the SDK client connected for it. */
export interface OpenRoom {
  client: LiveroomClient;
  roomId: string;
}

let open: OpenRoom | null = null;

export function openRoom(): OpenRoom | null {
  return open;
}

export function setOpenRoom(next: OpenRoom | null): void {
  open = next;
}

/** True while `client` is still the open room's client: late callbacks of a left room are ignored. */
export function isCurrent(client: LiveroomClient): boolean {
  return open?.client === client;
}
