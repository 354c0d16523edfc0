import type { Ingestor } from '../ingest.ts';
import type { StoreReads } from '../db/port.ts';
import { buildMessage, type IntakeLead } from './message.ts';

export interface Submitted {
  leadId: number | null;
  rawEmailId: number;
  duplicate: boolean;
  status: string;
}

/**
 * Stores a lead raw (source http) and runs it through the pipeline, as the daemon does an email.
 * Concurrent deliveries of the same lead share one ingest, so the second answer carries the
 * first one's lead id instead of a row still being processed.
 */
export class IntakeSubmitter {
  private readonly inflight = new Map<string, Promise<Submitted>>();

  constructor(private readonly ingestor: Ingestor, private readonly reads: Pick<StoreReads, 'findExisting'>) {}

  async submit(lead: IntakeLead): Promise<Submitted> {
    const { raw, messageId } = buildMessage(lead);
    if (!lead.dedupeKey) return this.run(raw);
    const running = this.inflight.get(messageId);
    if (running) return { ...(await running), duplicate: true };
    const p = this.run(raw).finally(() => this.inflight.delete(messageId));
    this.inflight.set(messageId, p);
    return p;
  }

  /** A lead already stored under this Message-ID (skips a Graph fetch on a redelivery). */
  async known(messageId: string): Promise<Submitted | null> {
    const running = this.inflight.get(messageId);
    if (running) return { ...(await running), duplicate: true };
    const e = await this.reads.findExisting(messageId, '');
    return e ? { leadId: e.leadId, rawEmailId: e.rawEmailId, duplicate: true, status: e.status } : null;
  }

  private async run(raw: Buffer): Promise<Submitted> {
    const r = await this.ingestor.ingest(raw, { source: 'http' });
    return { leadId: r.leadId, rawEmailId: r.rawEmailId, duplicate: r.duplicate, status: r.status };
  }
}
