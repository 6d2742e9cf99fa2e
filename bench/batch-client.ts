import * as http from "node:http";
import * as https from "node:https";
import { classifyTransportError, RpcError } from "../fisco/rpc-client";

/** FISCO's web3 RPC refuses batches of more than 8 requests (batch_request_size_limit). */
export const MAX_BATCH = 8;

export interface RpcCall {
  readonly method: string;
  readonly params: readonly unknown[];
}

/** Per call: the result, or the JSON-RPC error the node answered with. */
export type RpcOutcome = { readonly ok: true; readonly result: unknown } | { readonly ok: false; readonly code?: number; readonly message: string };

/**
 * Batched JSON-RPC over keep-alive HTTP(S) to one web3 endpoint. A whole batch fails with an RpcError (transport,
 * timeout, HTTP status, malformed answer); single calls fail with their own error inside the outcome list.
 */
export class BatchRpcClient {
  private nextId = 1;
  private readonly agent: http.Agent;
  private readonly target: URL;

  constructor(
    readonly url: string,
    connections: number,
  ) {
    this.target = new URL(url);
    const Agent = this.target.protocol === "https:" ? https.Agent : http.Agent;
    this.agent = new Agent({ keepAlive: true, maxSockets: connections });
  }

  async call(method: string, params: readonly unknown[], timeoutMs: number): Promise<unknown> {
    const [outcome] = await this.batch([{ method, params }], timeoutMs);
    if (!outcome.ok) throw new RpcError("rpc", this.url, method, `${method} failed: ${outcome.message}`, outcome.code);
    return outcome.result;
  }

  batch(calls: readonly RpcCall[], timeoutMs: number): Promise<RpcOutcome[]> {
    if (calls.length === 0 || calls.length > MAX_BATCH) throw new RangeError(`a batch holds 1 to ${MAX_BATCH} calls (got ${calls.length})`);
    const first = this.nextId;
    this.nextId += calls.length;
    const body = JSON.stringify(calls.map((c, i) => ({ jsonrpc: "2.0", id: first + i, method: c.method, params: c.params })));
    const method = calls[0].method;
    return new Promise((resolve, reject) => {
      const send = this.target.protocol === "https:" ? https.request : http.request;
      const req = send(
        this.target,
        { method: "POST", agent: this.agent, headers: { "content-type": "application/json", "content-length": Buffer.byteLength(body) } },
        (res) => {
          const chunks: Buffer[] = [];
          res.on("data", (chunk: Buffer) => chunks.push(chunk));
          res.on("end", () => {
            clearTimeout(timer);
            if (res.statusCode !== 200) return reject(new RpcError("http", this.url, method, `HTTP ${res.statusCode}`));
            try {
              resolve(matchAnswers(JSON.parse(Buffer.concat(chunks).toString("utf8")), first, calls.length));
            } catch (error) {
              reject(new RpcError("protocol", this.url, method, (error as Error).message));
            }
          });
        },
      );
      const timer = setTimeout(() => req.destroy(new RpcError("timeout", this.url, method, `no answer within ${timeoutMs} ms`)), timeoutMs);
      req.on("error", (error) => {
        clearTimeout(timer);
        reject(error instanceof RpcError ? error : classifyTransportError(error as NodeJS.ErrnoException, this.url, method));
      });
      req.end(body);
    });
  }

  close(): void {
    this.agent.destroy();
  }
}

/**
 * A batch answer, in request order. A single error object answers the whole batch (e.g. "exceeds the limit size"),
 * and fisco-bcos v3.16.4's web3 RPC answers a batch of one request with that request's bare answer (seen on a real
 * node), which is taken as the batch's only answer.
 */
export function matchAnswers(answer: unknown, firstId: number, count: number): RpcOutcome[] {
  if (!Array.isArray(answer)) {
    const one = answer as { id?: unknown; result?: unknown; error?: { code?: number; message?: string } } | null;
    if (count === 1 && one && one.id === firstId && ("result" in one || one.error)) return matchAnswers([one], firstId, count);
    const error = one?.error;
    if (error) return Array.from({ length: count }, () => ({ ok: false as const, code: error.code, message: String(error.message) }));
    throw new Error("the answer to a batch is not an array");
  }
  const byId = new Map(answer.map((a: { id: number }) => [a.id, a]));
  return Array.from({ length: count }, (_, i) => {
    const one = byId.get(firstId + i) as { result?: unknown; error?: { code?: number; message?: string } } | undefined;
    if (!one) return { ok: false as const, message: "no answer for this call in the batch" };
    return one.error ? { ok: false as const, code: one.error.code, message: String(one.error.message) } : { ok: true as const, result: one.result };
  });
}
