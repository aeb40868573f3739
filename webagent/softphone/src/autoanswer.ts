// Auto-answer only what the agent accepted: the desk arms the phone when its accept succeeds;
// the next incoming call within the window is answered, once. Anything else is refused.

export const DEFAULT_ARM_MS = 30_000;

export interface Arming {
  arm(contactId: string, nowMs: number, windowMs?: number): void;
  /** True (and disarmed) when an incoming call may be answered now. */
  consume(nowMs: number): string | null;
  disarm(): void;
  readonly armedFor: string | null;
}

export function createArming(): Arming {
  let contact: string | null = null;
  let until = 0;
  return {
    arm(contactId, nowMs, windowMs = DEFAULT_ARM_MS) {
      contact = contactId;
      until = nowMs + windowMs;
    },
    consume(nowMs) {
      const found = contact !== null && nowMs <= until ? contact : null;
      contact = null;
      until = 0;
      return found;
    },
    disarm() {
      contact = null;
      until = 0;
    },
    get armedFor() {
      return contact;
    },
  };
}
