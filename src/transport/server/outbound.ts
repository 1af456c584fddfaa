// Per-connection sender. ws.send never blocks, so a client that reads slowly shows up as a growing
// `bufferedAmount`. Reply audio is the bulk of what we send: above the soft limit it is dropped and
// counted (the client hears a gap, the session and every other session carry on); above the hard
// limit even control events cannot get through, so the connection is closed as too slow.
import { WebSocket } from 'ws';

export interface OutboundStats {
  sentMessages: number;
  sentBytes: number;
  droppedAudioMessages: number;
  droppedAudioBytes: number;
}

export class Outbound {
  readonly stats: OutboundStats = { sentMessages: 0, sentBytes: 0, droppedAudioMessages: 0, droppedAudioBytes: 0 };
  private closedAsSlow = false;

  constructor(
    private readonly ws: WebSocket,
    private readonly softLimit: number,
    private readonly hardLimit: number,
    private readonly onDrop: (stats: OutboundStats) => void = () => {},
    /** Sees every control event sent (the server counts `error` events by code). */
    private readonly onControl: (event: object) => void = () => {},
  ) {}

  get open(): boolean {
    return this.ws.readyState === WebSocket.OPEN && !this.closedAsSlow;
  }

  /** Sends a control/text event; closes the client when even these cannot be buffered any more. */
  json(event: object): boolean {
    this.onControl(event);
    return this.send(JSON.stringify(event), false);
  }

  /** Sends reply audio (a JSON event carrying base64, or a binary frame); dropped when the client lags. */
  audio(payload: object | Buffer): boolean {
    return this.send(Buffer.isBuffer(payload) ? payload : JSON.stringify(payload), true);
  }

  private send(data: string | Buffer, droppable: boolean): boolean {
    if (!this.open) return false;
    const size = typeof data === 'string' ? Buffer.byteLength(data) : data.length;
    const buffered = this.ws.bufferedAmount;
    if (buffered + size > this.hardLimit) {
      this.closedAsSlow = true;
      this.ws.close(1008, 'client too slow');
      // A socket that cannot drain may never finish the close handshake.
      setTimeout(() => this.ws.terminate(), 2000).unref();
      return false;
    }
    if (droppable && buffered > this.softLimit) {
      this.stats.droppedAudioMessages++;
      this.stats.droppedAudioBytes += size;
      this.onDrop(this.stats);
      return false;
    }
    this.ws.send(data);
    this.stats.sentMessages++;
    this.stats.sentBytes += size;
    return true;
  }
}
