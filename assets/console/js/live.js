// A websocket that stays up: it connects, sends its first frame (a signed `register`), hands
// every frame to its owner and, when the connection drops (network, server restart), reconnects
// by itself with exponential backoff and jitter. The owner catches up over HTTP with `since_id`
// when `onReady` reports a reconnect.

const MIN_DELAY_MS = 500;
const MAX_DELAY_MS = 8000;

export class LiveSocket {
  /**
   * @param path     socket path, e.g. /zhugeleida/qiyeweixin/websocket/leida_chat
   * @param hello    () => the first frame (signed fresh on every connect)
   * @param onFrame  (frame, socket) => void for every frame after `hello` was sent
   * @param onState  ('connecting' | 'open' | 'retry' | 'stopped') => void
   */
  constructor(path, { hello, onFrame, onState = () => {} }) {
    this.path = path;
    this.hello = hello;
    this.onFrame = onFrame;
    this.onState = onState;
    this.ws = null;
    this.attempt = 0;
    this.timer = null;
    this.stopped = false;
    this.connects = 0;
    this.wake = () => this.retryNow();
  }

  start() {
    window.addEventListener('online', this.wake);
    this.connect();
    return this;
  }

  /** Whether frames can be sent now. */
  get open() {
    return this.ws?.readyState === WebSocket.OPEN;
  }

  /** Sends `frame` (an object) if open; returns whether it was sent. */
  send(frame) {
    if (!this.open) return false;
    this.ws.send(JSON.stringify(frame));
    return true;
  }

  /** Closes for good (logout, chat switched). */
  stop() {
    this.stopped = true;
    clearTimeout(this.timer);
    window.removeEventListener('online', this.wake);
    if (this.ws) {
      this.ws.onclose = null;
      this.ws.close(1000);
      this.ws = null;
    }
    this.onState('stopped');
  }

  retryNow() {
    if (this.stopped || this.open) return;
    clearTimeout(this.timer);
    this.attempt = 0;
    this.connect();
  }

  connect() {
    if (this.stopped) return;
    this.onState('connecting');
    const scheme = location.protocol === 'https:' ? 'wss:' : 'ws:';
    const ws = new WebSocket(`${scheme}//${location.host}${this.path}`);
    this.ws = ws;
    ws.onopen = () => {
      this.connects += 1;
      ws.send(JSON.stringify(this.hello()));
    };
    ws.onmessage = (event) => {
      let frame;
      try {
        frame = JSON.parse(event.data);
      } catch {
        return;
      }
      if (this.attempt !== 0) this.attempt = 0;
      this.onState('open');
      this.onFrame(frame, this);
    };
    ws.onclose = () => {
      if (this.ws !== ws || this.stopped) return;
      this.ws = null;
      this.onState('retry');
      const base = Math.min(MAX_DELAY_MS, MIN_DELAY_MS * 2 ** this.attempt);
      this.attempt += 1;
      this.timer = setTimeout(() => this.connect(), base * (0.75 + Math.random() * 0.5));
    };
  }

  /** Whether the current connection is a reconnect (an earlier one existed). */
  get reconnected() {
    return this.connects > 1;
  }
}
