// The page's link to the server's native protocol (/ws): binary PCM16 16 kHz frames up, JSON events down.
export class Connection {
  constructor({ onEvent, onState }) {
    this.onEvent = onEvent;
    this.onState = onState;
    this.ws = null;
  }

  get open() {
    return this.ws?.readyState === WebSocket.OPEN;
  }

  connect(options) {
    const token = new URLSearchParams(location.search).get('token');
    const url = `${location.protocol === 'https:' ? 'wss' : 'ws'}://${location.host}/ws${token ? `?token=${encodeURIComponent(token)}` : ''}`;
    this.onState('connecting');
    const ws = new WebSocket(url, 'soundflow.v1');
    ws.binaryType = 'arraybuffer';
    this.ws = ws;
    return new Promise((resolve, reject) => {
      ws.onopen = () => {
        this.onState('open');
        ws.send(JSON.stringify({ type: 'session.update', options }));
        resolve();
      };
      ws.onerror = () => {
        this.onState('error');
        reject(new Error('WebSocket connection failed'));
      };
      ws.onclose = (e) => this.onState('closed', `${e.code}${e.reason ? ' ' + e.reason : ''}`);
      ws.onmessage = (e) => {
        if (typeof e.data !== 'string') return; // binary audio is not requested by this page
        let ev;
        try {
          ev = JSON.parse(e.data);
        } catch {
          return;
        }
        this.onEvent(ev);
      };
    });
  }

  sendAudio(pcm) {
    if (this.open) this.ws.send(pcm.buffer);
  }

  send(msg) {
    if (this.open) this.ws.send(JSON.stringify(msg));
  }

  /** Asks the server to finish (pending replies complete) and close. */
  end() {
    this.send({ type: 'end' });
  }
}
