// Bounded ICE gathering. JsSIP waits for the browser to finish gathering before it sends the
// SDP; without a bound a call can stall for tens of seconds (an unreachable STUN/TURN server).
// The gate ends gathering on the first server-reflexive or relay candidate, or `timeoutMs`
// after the first candidate, whichever comes first, and never calls `ready` twice.

export interface Timers {
  set(fn: () => void, ms: number): unknown;
  clear(handle: unknown): void;
}

export const browserTimers: Timers = {
  set: (fn, ms) => window.setTimeout(fn, ms),
  clear: (handle) => window.clearTimeout(handle as number),
};

export type IceEndReason = "srflx" | "relay" | "timeout";

export interface CandidateLike {
  readonly type?: string | null;
  readonly candidate?: string;
}

export interface IceGate {
  /** Feed one `icecandidate` event of the session (JsSIP's event: candidate + ready()). */
  onCandidate(event: { candidate: CandidateLike | null; ready: () => void }): void;
  /** Why gathering was ended early, or null while it runs (or if the browser finished first). */
  readonly endedBy: IceEndReason | null;
  /** Forget any pending timer (the session ended). */
  dispose(): void;
}

export const DEFAULT_ICE_TIMEOUT_MS = 800;

/** The candidate's type: the parsed field when the browser gives it, else from the SDP line. */
export function candidateType(candidate: CandidateLike | null): string | null {
  if (!candidate) return null;
  if (candidate.type) return candidate.type;
  const match = / typ ([a-z]+)/.exec(candidate.candidate ?? "");
  return match ? match[1] : null;
}

export function createIceGate(
  timeoutMs: number = DEFAULT_ICE_TIMEOUT_MS,
  timers: Timers = browserTimers,
): IceGate {
  let endedBy: IceEndReason | null = null;
  let timer: unknown = null;
  let ready: (() => void) | null = null;

  function end(reason: IceEndReason): void {
    if (endedBy !== null) return;
    endedBy = reason;
    if (timer !== null) timers.clear(timer);
    timer = null;
    const fn = ready;
    ready = null;
    if (fn) fn();
  }

  return {
    onCandidate(event) {
      if (endedBy !== null) return;
      ready = event.ready;
      const type = candidateType(event.candidate);
      if (type === "srflx" || type === "relay") {
        end(type);
        return;
      }
      if (timer === null) timer = timers.set(() => end("timeout"), Math.max(0, timeoutMs));
    },
    get endedBy() {
      return endedBy;
    },
    dispose() {
      if (timer !== null) timers.clear(timer);
      timer = null;
      ready = null;
    },
  };
}
