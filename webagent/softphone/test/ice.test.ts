import { describe, expect, it } from "vitest";
import { createArming } from "../src/autoanswer";
import { formatDuration, spokenDuration } from "../src/clock";
import { candidateType, createIceGate, type Timers } from "../src/ice";

class FakeTimers implements Timers {
  now = 0;
  private next = 1;
  private pending = new Map<number, { at: number; fn: () => void }>();
  set(fn: () => void, ms: number): unknown {
    const id = this.next++;
    this.pending.set(id, { at: this.now + ms, fn });
    return id;
  }
  clear(handle: unknown): void {
    this.pending.delete(handle as number);
  }
  advance(ms: number): void {
    this.now += ms;
    for (const [id, t] of [...this.pending]) {
      if (t.at <= this.now) {
        this.pending.delete(id);
        t.fn();
      }
    }
  }
  get count(): number {
    return this.pending.size;
  }
}

const host = { candidate: "candidate:1 1 udp 2122260223 192.168.1.5 54321 typ host" };
const srflx = { candidate: "candidate:2 1 udp 1686052607 203.0.113.7 40000 typ srflx raddr 0.0.0.0" };

describe("ICE gate", () => {
  it("ends gathering after the timeout when only host candidates come", () => {
    const timers = new FakeTimers();
    const gate = createIceGate(800, timers);
    let calls = 0;
    gate.onCandidate({ candidate: host, ready: () => calls++ });
    timers.advance(799);
    expect(calls).toBe(0);
    timers.advance(1);
    expect(calls).toBe(1);
    expect(gate.endedBy).toBe("timeout");
  });

  it("ends at once on the first server-reflexive candidate and clears the timer", () => {
    const timers = new FakeTimers();
    const gate = createIceGate(800, timers);
    let calls = 0;
    gate.onCandidate({ candidate: host, ready: () => calls++ });
    gate.onCandidate({ candidate: srflx, ready: () => calls++ });
    expect(calls).toBe(1);
    expect(gate.endedBy).toBe("srflx");
    expect(timers.count).toBe(0);
    timers.advance(5000);
    expect(calls).toBe(1);
  });

  it("ends on a relay candidate given by its parsed type", () => {
    const gate = createIceGate(800, new FakeTimers());
    let calls = 0;
    gate.onCandidate({ candidate: { type: "relay" }, ready: () => calls++ });
    expect(gate.endedBy).toBe("relay");
    expect(calls).toBe(1);
  });

  it("never calls ready after dispose", () => {
    const timers = new FakeTimers();
    const gate = createIceGate(500, timers);
    let calls = 0;
    gate.onCandidate({ candidate: host, ready: () => calls++ });
    gate.dispose();
    timers.advance(1000);
    expect(calls).toBe(0);
    expect(gate.endedBy).toBeNull();
  });

  it("reads the candidate type from the SDP line", () => {
    expect(candidateType(host)).toBe("host");
    expect(candidateType(srflx)).toBe("srflx");
    expect(candidateType(null)).toBeNull();
  });
});

describe("auto-answer arming", () => {
  it("answers once within the window and refuses after it", () => {
    const a = createArming();
    expect(a.consume(0)).toBeNull();
    a.arm("c-1", 1000, 30_000);
    expect(a.consume(31_000)).toBe("c-1");
    expect(a.consume(31_001)).toBeNull();
    a.arm("c-2", 0, 10);
    expect(a.consume(11)).toBeNull();
  });
});

describe("call timer", () => {
  it("formats minutes and hours", () => {
    expect(formatDuration(0)).toBe("0:00");
    expect(formatDuration(65.9)).toBe("1:05");
    expect(formatDuration(3725)).toBe("1:02:05");
    expect(spokenDuration(65)).toBe("1分05秒");
  });
});
