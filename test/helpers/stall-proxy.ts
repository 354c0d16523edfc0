// A TCP proxy in front of the real Dovecot that can black-hole its open connections: the socket
// stays open but nothing flows, which is how a dead NAT entry or a hung server looks to a client.
import net from 'node:net';

export interface StallProxy {
  port: number;
  /** Open connections stop forwarding in both directions (never closed); new ones work normally. */
  stallOpen(): void;
  close(): Promise<void>;
}

export async function startStallProxy(target: { host: string; port: number }): Promise<StallProxy> {
  const pairs = new Set<{ a: net.Socket; b: net.Socket }>();
  const stalled: net.Socket[] = [];
  const server = net.createServer((a) => {
    const b = net.connect(target.port, target.host);
    const pair = { a, b };
    pairs.add(pair);
    const end = () => {
      pairs.delete(pair);
      a.destroy();
      b.destroy();
    };
    a.on('error', end).on('close', end);
    b.on('error', end).on('close', end);
    a.pipe(b);
    b.pipe(a);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    port: (server.address() as net.AddressInfo).port,
    stallOpen() {
      for (const { a, b } of pairs) {
        a.unpipe(b);
        b.unpipe(a);
        a.pause();
        b.pause();
        a.removeAllListeners('close'); // keep both ends open and silent
        stalled.push(a, b);
      }
      pairs.clear();
    },
    async close() {
      for (const s of stalled) s.destroy();
      for (const { a, b } of pairs) (a.destroy(), b.destroy());
      await new Promise<void>((r) => server.close(() => r()));
    },
  };
}
