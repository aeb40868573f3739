// The desk's softphone: JsSIP over WSS to FreeSWITCH. Registers with the signed-in agent's
// account from /api/agent/sip-config, answers an incoming call only when the desk has accepted
// an offer, and offers hold, mute, DTMF, hang-up and a call timer. Japanese labels; every
// state is told in text and an icon, never colour alone. Keyboard: Alt+H hold, Alt+M mute,
// Alt+E hang up, Alt+K keypad; digits typed in the keypad send DTMF.

import * as JsSIP from "jssip";
import type { RTCSession } from "jssip/lib/RTCSession";
import { createArming } from "./autoanswer";
import { formatDuration, spokenDuration } from "./clock";
import { createIceGate, DEFAULT_ICE_TIMEOUT_MS, type IceGate } from "./ice";

export { candidateType, createIceGate, DEFAULT_ICE_TIMEOUT_MS } from "./ice";
export { createArming } from "./autoanswer";
export { formatDuration, spokenDuration } from "./clock";

export type PhoneState =
  | "unconfigured"
  | "disconnected"
  | "connecting"
  | "registered"
  | "ringing"
  | "in_call"
  | "on_hold";

interface StateLook {
  icon: string;
  label: string;
}

export const STATE_LOOKS: Record<PhoneState, StateLook> = {
  unconfigured: { icon: "✕", label: "未接続（電話の設定がありません）" },
  disconnected: { icon: "✕", label: "未接続（電話サーバーに接続できません。再接続します）" },
  connecting: { icon: "…", label: "接続中" },
  registered: { icon: "●", label: "待機中（登録済み）" },
  ringing: { icon: "☎", label: "着信に応答しています" },
  in_call: { icon: "☎", label: "通話中" },
  on_hold: { icon: "‖", label: "保留中" },
};

export interface SipConfig {
  configured: boolean;
  ws_url?: string;
  uri?: string;
  authorization_user?: string;
  password?: string;
  ice_servers?: RTCIceServer[];
}

const DTMF_KEYS = "0123456789*#";

export class Softphone {
  state: PhoneState = "connecting";
  private ua: JsSIP.UA | null = null;
  private session: RTCSession | null = null;
  private gate: IceGate | null = null;
  private startedAt = 0;
  private tick: number | null = null;
  private muted = false;
  private readonly arming = createArming();
  private readonly el: Record<string, HTMLElement | null>;
  private iceServers: RTCIceServer[] = [];

  constructor(private readonly root: HTMLElement, private readonly iceTimeoutMs: number) {
    const q = (id: string) => root.querySelector<HTMLElement>(`[data-phone="${id}"]`);
    this.el = {
      status: q("status"),
      timer: q("timer"),
      hold: q("hold"),
      mute: q("mute"),
      hangup: q("hangup"),
      keypad: q("keypad"),
      dtmf: q("dtmf"),
      audio: q("audio"),
      message: q("message"),
    };
    this.bind();
    this.render();
  }

  /** Start from the server's answer to /api/agent/sip-config. */
  start(config: SipConfig): void {
    if (!config.configured || !config.ws_url || !config.uri || !config.password) {
      this.setState("unconfigured");
      return;
    }
    this.iceServers = config.ice_servers ?? [];
    this.setState("connecting");
    let socket: JsSIP.WebSocketInterface;
    try {
      socket = new JsSIP.WebSocketInterface(config.ws_url);
    } catch {
      this.setState("disconnected");
      return;
    }
    const ua = new JsSIP.UA({
      sockets: [socket],
      uri: config.uri,
      password: config.password,
      authorization_user: config.authorization_user,
      register: true,
      session_timers: false,
      connection_recovery_min_interval: 2,
      connection_recovery_max_interval: 30,
    });
    ua.on("connecting", () => this.idleState("connecting"));
    ua.on("disconnected", () => this.idleState("disconnected"));
    ua.on("registered", () => this.idleState("registered"));
    ua.on("unregistered", () => this.idleState("disconnected"));
    ua.on("registrationFailed", () => {
      this.say("電話の登録に失敗しました。管理者に連絡してください。");
      this.idleState("disconnected");
    });
    ua.on("newRTCSession", (e: { originator: string; session: RTCSession }) => {
      if (e.originator === "remote") this.incoming(e.session);
    });
    this.ua = ua;
    ua.start();
  }

  /** The desk accepted an offer: answer the next incoming call (within the window). */
  armAutoAnswer(contactId: string, windowMs?: number): void {
    this.arming.arm(contactId, Date.now(), windowMs);
  }

  disarm(): void {
    this.arming.disarm();
  }

  toggleHold(): void {
    const s = this.session;
    if (!s || !s.isEstablished()) return;
    if (s.isOnHold().local) s.unhold();
    else s.hold();
  }

  toggleMute(): void {
    const s = this.session;
    if (!s || !s.isEstablished()) return;
    if (this.muted) s.unmute({ audio: true });
    else s.mute({ audio: true });
  }

  hangUp(): void {
    const s = this.session;
    if (!s || s.isEnded()) return;
    s.terminate();
  }

  sendDigit(tone: string): void {
    if (!DTMF_KEYS.includes(tone) || tone.length !== 1) return;
    const shown = this.el.dtmf;
    if (shown) shown.textContent = ((shown.textContent ?? "") + tone).slice(-24);
    const s = this.session;
    if (s && s.isEstablished()) s.sendDTMF(tone, { transportType: JsSIP.C.DTMF_TRANSPORT.RFC2833 });
    else this.say(`「${tone}」は通話中のときだけ送信されます。`);
  }

  private incoming(session: RTCSession): void {
    const contact = this.arming.consume(Date.now());
    if (this.session !== null || contact === null) {
      session.terminate({ status_code: 486, reason_phrase: "Busy Here" });
      if (contact === null) this.say("受付していない着信を拒否しました。");
      return;
    }
    this.session = session;
    this.gate = createIceGate(this.iceTimeoutMs);
    const gate = this.gate;
    session.on("icecandidate", (ev: { candidate: RTCIceCandidate; ready: () => void }) =>
      gate.onCandidate(ev),
    );
    session.on("peerconnection", (ev: { peerconnection: RTCPeerConnection }) => {
      ev.peerconnection.addEventListener("track", (t) => this.playRemote(t.streams[0]));
    });
    session.on("confirmed", () => this.callStarted());
    session.on("hold", () => this.setState("on_hold"));
    session.on("unhold", () => this.setState("in_call"));
    session.on("muted", () => this.setMuted(true));
    session.on("unmuted", () => this.setMuted(false));
    session.on("ended", () => this.callEnded("通話が終了しました。"));
    session.on("failed", () => this.callEnded("通話を確立できませんでした。"));
    this.setState("ringing");
    session.answer({
      mediaConstraints: { audio: true, video: false },
      pcConfig: { iceServers: this.iceServers },
    });
  }

  private playRemote(stream: MediaStream | undefined): void {
    const audio = this.el.audio as HTMLAudioElement | null;
    if (audio && stream) {
      audio.srcObject = stream;
      void audio.play().catch(() => undefined);
    }
  }

  private callStarted(): void {
    this.startedAt = Date.now();
    this.setState("in_call");
    this.say("通話を開始しました。");
    if (this.tick !== null) window.clearInterval(this.tick);
    this.tick = window.setInterval(() => this.renderTimer(), 1000);
    this.renderTimer();
  }

  private callEnded(message: string): void {
    this.gate?.dispose();
    this.gate = null;
    this.session = null;
    this.muted = false;
    if (this.tick !== null) window.clearInterval(this.tick);
    this.tick = null;
    this.startedAt = 0;
    this.say(message);
    this.idleState(this.ua?.isRegistered() ? "registered" : "disconnected");
  }

  private idleState(state: PhoneState): void {
    if (this.session === null) this.setState(state);
  }

  private setMuted(value: boolean): void {
    this.muted = value;
    this.render();
  }

  private setState(state: PhoneState): void {
    this.state = state;
    this.render();
    this.root.dispatchEvent(new CustomEvent("softphone:state", { detail: state, bubbles: true }));
  }

  private say(text: string): void {
    if (this.el.message) this.el.message.textContent = text;
  }

  private renderTimer(): void {
    const timer = this.el.timer;
    if (!timer) return;
    const seconds = this.startedAt ? (Date.now() - this.startedAt) / 1000 : 0;
    timer.textContent = formatDuration(seconds);
    timer.setAttribute("aria-label", `通話時間 ${spokenDuration(seconds)}`);
  }

  private render(): void {
    const look = STATE_LOOKS[this.state];
    const status = this.el.status;
    if (status) {
      status.dataset.state = this.state;
      const icon = status.querySelector(".icon");
      const label = status.querySelector(".label");
      if (icon) icon.textContent = look.icon;
      if (label) label.textContent = look.label;
    }
    const inCall = this.state === "in_call" || this.state === "on_hold";
    for (const name of ["hold", "mute", "hangup"]) {
      const b = this.el[name] as HTMLButtonElement | null;
      if (b) b.disabled = !inCall;
    }
    const hold = this.el.hold;
    if (hold) {
      hold.setAttribute("aria-pressed", String(this.state === "on_hold"));
      const text = hold.querySelector(".text");
      if (text) text.textContent = this.state === "on_hold" ? "保留解除" : "保留";
    }
    const mute = this.el.mute;
    if (mute) {
      mute.setAttribute("aria-pressed", String(this.muted));
      const text = mute.querySelector(".text");
      if (text) text.textContent = this.muted ? "ミュート解除" : "ミュート";
    }
    if (!inCall) this.renderTimer();
  }

  private bind(): void {
    this.el.hold?.addEventListener("click", () => this.toggleHold());
    this.el.mute?.addEventListener("click", () => this.toggleMute());
    this.el.hangup?.addEventListener("click", () => this.hangUp());
    const keypad = this.el.keypad;
    if (keypad) {
      keypad.addEventListener("click", (e) => {
        const button = (e.target as HTMLElement).closest<HTMLButtonElement>("button[data-tone]");
        if (button?.dataset.tone) this.sendDigit(button.dataset.tone);
      });
      keypad.addEventListener("keydown", (e) => {
        if (e.altKey || e.ctrlKey || e.metaKey) return;
        if (e.key.length === 1 && DTMF_KEYS.includes(e.key)) {
          e.preventDefault();
          this.sendDigit(e.key);
        }
      });
    }
    document.addEventListener("keydown", (e) => {
      if (!e.altKey || e.ctrlKey || e.metaKey) return;
      const key = e.key.toLowerCase();
      const code = e.code;
      if (key === "h" || code === "KeyH") this.toggleHold();
      else if (key === "m" || code === "KeyM") this.toggleMute();
      else if (key === "e" || code === "KeyE") this.hangUp();
      else if (key === "k" || code === "KeyK") {
        keypad?.querySelector<HTMLButtonElement>("button[data-tone]")?.focus();
      } else return;
      e.preventDefault();
    });
  }
}

/** Build the phone on the desk's #softphone panel and start it with the agent's account. */
export async function boot(): Promise<Softphone | null> {
  const root = document.getElementById("softphone");
  if (!root) return null;
  const timeout = Number(root.dataset.iceTimeoutMs) || DEFAULT_ICE_TIMEOUT_MS;
  const phone = new Softphone(root, timeout);
  (window as unknown as { madoguchiPhone: Softphone }).madoguchiPhone = phone;
  let config: SipConfig = { configured: false };
  try {
    const response = await fetch(root.dataset.configUrl ?? "/api/agent/sip-config", {
      credentials: "same-origin",
      headers: { Accept: "application/json" },
    });
    if (response.ok) config = (await response.json()) as SipConfig;
  } catch {
    config = { configured: false };
  }
  phone.start(config);
  return phone;
}

if (typeof document !== "undefined") {
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", () => void boot());
  } else {
    void boot();
  }
}
