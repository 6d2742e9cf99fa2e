import { once } from "node:events";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { Transaction } from "ethers";

export interface ProxyDoubleOptions {
  /** Reject every n-th eth_sendRawTransaction with a JSON-RPC error (0: none). */
  readonly rejectEvery?: number;
  /** Delay every answer by this many ms. */
  readonly delayMs?: number;
}

/**
 * A test double in front of a real hardhat node: forwards JSON-RPC batches, but answers every n-th
 * eth_sendRawTransaction itself with an error (as a node that refuses some transactions would), and records the
 * size of every batch it receives. Like fisco-bcos v3.16.4's web3 RPC (seen on a real node), it answers a batch of
 * one request with the bare answer object, not an array of one.
 */
export class RejectingProxyDouble {
  readonly batchSizes: number[] = [];
  /**
   * eth_sendRawTransaction requests that arrived while another transaction of the same sender was still unanswered
   * (in the same batch or another): fisco-bcos v3.16.4 handles those in parallel and may refuse or drop the lower nonce.
   */
  senderOverlaps = 0;
  private readonly sendersInFlight = new Map<string, number>();
  rejected = 0;
  private sendCount = 0;
  private server!: Server;
  url = "";

  constructor(
    private readonly upstream: string,
    private readonly options: ProxyDoubleOptions = {},
  ) {}

  async start(): Promise<this> {
    this.server = createServer((req, res) => void this.handle(req, res));
    this.server.listen(0, "127.0.0.1");
    await once(this.server, "listening");
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
    return this;
  }

  async stop(): Promise<void> {
    this.server.closeAllConnections();
    this.server.close();
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    let body = "";
    for await (const chunk of req) body += chunk;
    const parsed = JSON.parse(body);
    const calls: { id: number; method: string; params?: unknown[] }[] = Array.isArray(parsed) ? parsed : [parsed];
    this.batchSizes.push(calls.length);
    const senders = calls.filter((c) => c.method === "eth_sendRawTransaction").map((c) => Transaction.from(String(c.params?.[0])).from!.toLowerCase());
    for (const sender of senders) {
      const n = this.sendersInFlight.get(sender) ?? 0;
      if (n > 0) this.senderOverlaps++;
      this.sendersInFlight.set(sender, n + 1);
    }
    const answers = new Map<number, unknown>();
    const forward = calls.filter((call) => {
      if (call.method !== "eth_sendRawTransaction" || !this.options.rejectEvery) return true;
      if (++this.sendCount % this.options.rejectEvery !== 0) return true;
      this.rejected++;
      answers.set(call.id, { jsonrpc: "2.0", id: call.id, error: { code: -32003, message: `transaction rejected by the double (#${this.sendCount})` } });
      return false;
    });
    if (forward.length) {
      const upstream = await fetch(this.upstream, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(forward) });
      for (const answer of (await upstream.json()) as { id: number }[]) answers.set(answer.id, answer);
    }
    if (this.options.delayMs) await new Promise((r) => setTimeout(r, this.options.delayMs));
    const out = calls.map((c) => answers.get(c.id));
    for (const sender of senders) this.sendersInFlight.set(sender, this.sendersInFlight.get(sender)! - 1);
    res.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify(Array.isArray(parsed) && out.length > 1 ? out : out[0]));
  }
}
