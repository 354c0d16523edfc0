// A real SMTP receiver on loopback (nodemailer's smtp-server) for the notification tests, with the
// events a test waits on (never a sleep) and what the sender did on the wire: the messages received
// and the most transactions (MAIL FROM .. end of DATA) it ever had open at once.
import { EventEmitter } from 'node:events';
import type { AddressInfo } from 'node:net';
import { simpleParser, type ParsedMail } from 'mailparser';
import { SMTPServer } from 'smtp-server';

export interface SmtpReceiver {
  port: number;
  mails: ParsedMail[];
  /** 'mail' after each message is received (before its 250 is given). */
  events: EventEmitter<{ mail: [ParsedMail] }>;
  /** The most transactions open at the same time, over all connections. */
  maxOpen(): number;
  close(): Promise<void>;
}

export interface ReceiverOptions {
  port?: number;
  /**
   * Called with each received message before it is acknowledged; answering false holds the 250
   * (the sender waits for it, as when a server commits a message and dies before answering).
   */
  accept?: (mail: ParsedMail) => boolean;
}

export async function startSmtp(opts: ReceiverOptions = {}): Promise<SmtpReceiver> {
  const mails: ParsedMail[] = [];
  const events = new EventEmitter<{ mail: [ParsedMail] }>();
  const open = new Set<string>();
  let maxOpen = 0;
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS'],
    logger: false,
    closeTimeout: 200, // close() otherwise waits 30 s for the sender's idle pooled connections
    onMailFrom(_a, session, cb) {
      open.add(session.id);
      maxOpen = Math.max(maxOpen, open.size);
      cb();
    },
    onData(stream, session, cb) {
      simpleParser(stream).then((m) => {
        mails.push(m);
        const ack = opts.accept?.(m) ?? true;
        events.emit('mail', m);
        if (ack) {
          open.delete(session.id);
          cb();
        }
      }, cb);
    },
    onClose(session) {
      open.delete(session.id);
    },
  });
  server.on('error', () => undefined); // a sender killed mid-transaction resets its socket
  await new Promise<void>((r) => server.listen(opts.port ?? 0, '127.0.0.1', r));
  return {
    port: (server.server.address() as AddressInfo).port,
    mails,
    events,
    maxOpen: () => maxOpen,
    close: () => new Promise((r) => server.close(() => r())),
  };
}

/**
 * Resolves once `ok()` holds, checking now and after each `event` of `emitter`; fails after `ms`
 * (a deadline, not a pause: nothing waits for it when the event comes).
 */
export function until<E extends EventEmitter>(what: string, emitter: E, event: string, ok: () => boolean, ms = 15_000): Promise<void> {
  return new Promise((resolve, reject) => {
    const check = () => {
      let done = false;
      try {
        done = ok();
      } catch (e) {
        finish();
        reject(e as Error);
        return;
      }
      if (done) {
        finish();
        resolve();
      }
    };
    const timer = setTimeout(() => {
      finish();
      reject(new Error(`timed out after ${ms} ms waiting for ${what}`));
    }, ms);
    const finish = () => {
      clearTimeout(timer);
      emitter.off(event, check);
    };
    emitter.on(event, check);
    check();
  });
}
