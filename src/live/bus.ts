import { EventEmitter } from 'node:events';

/**
 * What open pages hear about, as ids only: a new lead, a client moved to another vendor, a contact
 * registered. The page reads the data again through its scoped routes; the stream never carries a
 * name, phone or email.
 */
export type LiveEvent =
  | { type: 'lead'; leadId: number }
  | { type: 'assignment'; clientId: number; vendorId: string; leadIds: number[] }
  | { type: 'contact'; leadId: number };

/**
 * The in-process event bus: writers publish after their commit, the admin server's event streams
 * listen. Publishing never throws into the writer (a failing listener is the stream's problem).
 */
export class LiveBus {
  private readonly emitter = new EventEmitter<{ event: [LiveEvent] }>();

  constructor() {
    // One listener per open page: a busy office has more than the default ten.
    this.emitter.setMaxListeners(0);
  }

  publish(e: LiveEvent): void {
    try {
      this.emitter.emit('event', e);
    } catch {
      // A listener's error must not undo or fail the write that was already committed.
    }
  }

  /** Returns the unsubscribe function. */
  subscribe(listener: (e: LiveEvent) => void): () => void {
    this.emitter.on('event', listener);
    return () => this.emitter.off('event', listener);
  }

  get listeners(): number {
    return this.emitter.listenerCount('event');
  }
}
