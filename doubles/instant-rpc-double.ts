import { once } from "node:events";
import type { AddressInfo } from "node:net";
import * as tls from "node:tls";

/**
 * InstantRpcDouble: a TEST DOUBLE of a FISCO node's native RPC that answers at once, for measuring the load
 * generator's own capacity (scripts/bench-load.ts), not a FISCO node and not a faithful one. Over real mutual TLS 1.2
 * with the chain's certificates, HTTP/1.1 keep-alive, it answers sendTransaction immediately with a receipt of
 * status 0 (the transaction hash read from the envelope's dataHash, the contract address on a deploy) without
 * decoding, hashing or verifying anything; getGroupInfo, getBlockNumber, getBlockByNumber (blocks of at most
 * `blockSize` transactions, or what arrived within `blockMs`), and `call` (writes(): the writes answered so far).
 * For correctness, the tests use FiscoRpcDouble.
 */

export interface InstantDoubleOptions {
  readonly ca: string;
  readonly cert: string;
  readonly key: string;
  readonly chainId?: string;
  readonly groupId?: string;
  readonly blockSize?: number;
  readonly blockMs?: number;
}

interface InstantBlock {
  readonly number: number;
  timestamp: number;
  readonly hashes: string[];
}

const CONTRACT = "0x6849f21d1e455e9f0712b1e99fa4fcd23758e8f1";

export class InstantRpcDouble {
  private readonly server: tls.Server;
  private readonly blocks: InstantBlock[] = [{ number: 0, timestamp: Date.now(), hashes: [] }];
  private writes = 0;
  readonly sockets = new Set<tls.TLSSocket>();

  private constructor(private readonly options: InstantDoubleOptions) {
    this.server = tls.createServer(
      { ca: options.ca, cert: options.cert, key: options.key, requestCert: true, rejectUnauthorized: true, minVersion: "TLSv1.2", maxVersion: "TLSv1.2" },
      (socket) => this.serve(socket),
    );
    this.server.on("tlsClientError", () => undefined);
  }

  static async start(options: InstantDoubleOptions): Promise<InstantRpcDouble> {
    const double = new InstantRpcDouble(options);
    double.server.listen(0, "127.0.0.1");
    await once(double.server, "listening");
    return double;
  }

  get url(): string {
    return `https://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  async close(): Promise<void> {
    for (const s of this.sockets) s.destroy();
    this.server.close();
    await once(this.server, "close").catch(() => undefined);
  }

  private serve(socket: tls.TLSSocket): void {
    this.sockets.add(socket);
    socket.on("close", () => this.sockets.delete(socket));
    socket.on("error", () => undefined);
    let pending: Buffer = Buffer.alloc(0);
    socket.on("data", (chunk: Buffer) => {
      pending = pending.length ? Buffer.concat([pending, chunk]) : chunk;
      let out = "";
      for (;;) {
        const end = pending.indexOf("\r\n\r\n");
        if (end < 0) break;
        const length = Number(/content-length:\s*(\d+)/i.exec(pending.toString("latin1", 0, end))?.[1] ?? 0);
        if (pending.length < end + 4 + length) break;
        const body = pending.toString("latin1", end + 4, end + 4 + length);
        pending = pending.subarray(end + 4 + length);
        const answer = this.answer(body);
        out += `HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(answer)}\r\n\r\n${answer}`;
      }
      if (out) socket.write(out);
    });
  }

  /** The JSON-RPC answer to one request body; sendTransaction without parsing the JSON (it is the hot path). */
  private answer(body: string): string {
    const fast = /^\{"jsonrpc":"2\.0","id":(\d+),"method":"sendTransaction","params":\["[^"]*","[^"]*","(0x[0-9a-f]+)"/.exec(body);
    if (fast) return `{"jsonrpc":"2.0","id":${fast[1]},"result":${this.receipt(fast[2])}}`;
    const request = JSON.parse(body) as { id: number; method: string; params: unknown[] };
    const result = (value: unknown) => `{"jsonrpc":"2.0","id":${request.id},"result":${JSON.stringify(value)}}`;
    switch (request.method) {
      case "sendTransaction":
        return `{"jsonrpc":"2.0","id":${request.id},"result":${this.receipt(String(request.params[2]))}}`;
      case "getGroupInfo":
        return result({ chainID: this.options.chainId ?? "chain0", groupID: this.options.groupId ?? "group0" });
      case "getBlockNumber":
        return result(this.head().number);
      case "getBlockByNumber": {
        const block = this.blocks[Number(request.params[2])];
        return block
          ? result({ number: block.number, timestamp: block.timestamp, transactions: block.hashes })
          : `{"jsonrpc":"2.0","id":${request.id},"error":{"code":3008,"message":"no such block"}}`;
      }
      case "call":
        return result({ blockNumber: this.head().number, status: 0, output: `0x${this.writes.toString(16).padStart(64, "0")}` });
      default:
        return `{"jsonrpc":"2.0","id":${request.id},"error":{"code":-32601,"message":"The method does not exist/is not available."}}`;
    }
  }

  private head(): InstantBlock {
    return this.blocks[this.blocks.length - 1];
  }

  /** The block this transaction lands in: a new one when the last is full or older than blockMs. */
  private place(hash: string): number {
    let block = this.head();
    const now = Date.now();
    if (block.number === 0 || block.hashes.length >= (this.options.blockSize ?? 1000) || now - block.timestamp >= (this.options.blockMs ?? 100)) {
      block = { number: block.number + 1, timestamp: now, hashes: [] };
      this.blocks.push(block);
    }
    block.hashes.push(hash);
    return block.number;
  }

  /** The receipt JSON for a transaction. */
  private receipt(txHex: string): string {
    // The envelope ends with dataHash (2d000020 + 32 bytes), signature (3d000041 + 65 bytes) and maybe attribute.
    const signatureAt = txHex.lastIndexOf("3d000041");
    const hash = signatureAt >= 72 ? `0x${txHex.slice(signatureAt - 64, signatureAt)}` : "0x";
    const deploy = !/6628[0-9a-f]{80}/.test(txHex.slice(0, 240)); // no `to` (tag 6, 40 characters) in the data
    if (!deploy) this.writes++;
    const blockNumber = this.place(hash);
    return `{"version":0,"contractAddress":"${deploy ? CONTRACT : ""}","status":0,"blockNumber":${blockNumber},"output":"0x","message":"","transactionHash":"${hash}","hash":"${hash}","logEntries":[],"from":"0x","to":""}`;
  }
}

// As its own process (scripts/bench-load.ts): `node --import tsx doubles/instant-rpc-double.ts` reads one JSON line
// {"start": InstantDoubleOptions} on stdin, answers {"url": …}, and exits when stdin ends.
if (require.main === module) {
  let buffered = "";
  let double: InstantRpcDouble | undefined;
  process.stdin.on("data", async (chunk: Buffer) => {
    buffered += chunk.toString();
    const newline = buffered.indexOf("\n");
    if (newline < 0 || double) return;
    double = await InstantRpcDouble.start((JSON.parse(buffered.slice(0, newline)) as { start: InstantDoubleOptions }).start);
    process.stdout.write(`${JSON.stringify({ url: double.url })}\n`);
  });
  process.stdin.on("end", () => void double?.close().then(() => process.exit(0)));
}
