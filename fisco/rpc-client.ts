import * as http from "node:http";
import * as https from "node:https";
import { createSecureContext, type SecureContext } from "node:tls";

/**
 * JSON-RPC over HTTPS POST to a FISCO BCOS 3.x node's native RPC port (20200), as fisco-bcos-facts.md §5 describes:
 * mutual TLS 1.2 with the SDK certificate, the chain CA as the only trust anchor, no hostname check (node
 * certificates have no SAN), integer ids, one request per POST (no batches). `http://` URLs talk plain HTTP, for
 * nodes with `[rpc] enable_ssl=false`.
 */

/** PEM text of the chain CA and the client (SDK) certificate and key. */
export interface TlsMaterial {
  readonly ca: string;
  readonly cert: string;
  readonly key: string;
}

/**
 * One TLS context (CA, client certificate and key parsed once) for every node: FISCO's RPC speaks TLS 1.2 only.
 * Shared by all clients, so N nodes cost N handshakes but not N key parses.
 */
export function fiscoTlsContext(tls: TlsMaterial): SecureContext {
  return createSecureContext({ ca: tls.ca, cert: tls.cert, key: tls.key, minVersion: "TLSv1.2", maxVersion: "TLSv1.2" });
}

export interface RpcEndpoint {
  /** Short name used in messages, e.g. node0. */
  readonly name: string;
  readonly url: string;
}

/** Why a call failed: transport (tls, connect, timeout), a non-JSON-RPC answer (http, protocol) or a JSON-RPC error (rpc). */
export type RpcFailureKind = "tls" | "connect" | "timeout" | "http" | "protocol" | "rpc";

export class RpcError extends Error {
  constructor(
    readonly kind: RpcFailureKind,
    readonly node: string,
    readonly method: string,
    message: string,
    readonly code?: number,
    /** For kind rpc: the node's own error message, without our method name and code around it. */
    readonly nodeMessage?: string,
  ) {
    super(message);
    this.name = "RpcError";
  }

  /** Transport problems that may go away (a node still starting); tls problems do not. */
  get transient(): boolean {
    return this.kind === "connect" || this.kind === "timeout";
  }
}

const SERVER_CERT_ERRORS = new Set([
  "UNABLE_TO_VERIFY_LEAF_SIGNATURE",
  "UNABLE_TO_GET_ISSUER_CERT",
  "UNABLE_TO_GET_ISSUER_CERT_LOCALLY",
  "SELF_SIGNED_CERT_IN_CHAIN",
  "DEPTH_ZERO_SELF_SIGNED_CERT",
  "CERT_SIGNATURE_FAILURE",
  "CERT_HAS_EXPIRED",
  "CERT_NOT_YET_VALID",
  "CERT_UNTRUSTED",
  "CERT_REJECTED",
]);

const CONNECT_ERRORS: Readonly<Record<string, string>> = {
  ECONNREFUSED: "connection refused: is the node running and its RPC port open?",
  ENOTFOUND: "host name does not resolve",
  EAI_AGAIN: "host name lookup failed (temporary)",
  EHOSTUNREACH: "host unreachable",
  ENETUNREACH: "network unreachable",
  ECONNRESET: "connection reset by the node",
  EPIPE: "connection closed by the node",
};

/**
 * Turn a Node.js socket/TLS error into an RpcError with a message that says what to check. `duringHandshake`:
 * the TLS handshake had not completed, so a reset there is the node refusing us (Node.js servers often close
 * without the alert reaching the client; FISCO's boost.asio sends the alert).
 */
export function classifyTransportError(error: NodeJS.ErrnoException, node: string, method: string, duringHandshake = false): RpcError {
  const code = error.code ?? "";
  if (duringHandshake && (code === "ECONNRESET" || code === "EPIPE" || /socket hang up|disconnected before secure/i.test(error.message))) {
    return new RpcError(
      "tls",
      node,
      method,
      `the node closed the connection during the TLS handshake (${code || error.message}): it most likely refused our client certificate; use sdk.crt/sdk.key issued by this chain's CA`,
    );
  }
  if (/^ERR_SSL_(TLSV1|SSLV3)_ALERT_/.test(code)) {
    return new RpcError(
      "tls",
      node,
      method,
      `TLS handshake refused by the node (${error.message.trim()}): it does not accept our client certificate; use sdk.crt/sdk.key issued by this chain's CA`,
    );
  }
  if (SERVER_CERT_ERRORS.has(code)) {
    return new RpcError("tls", node, method, `the node's TLS certificate is not trusted (${code}): it is not signed by the CA in ca.crt`);
  }
  if (code.startsWith("ERR_SSL_") || code.startsWith("ERR_TLS_")) {
    return new RpcError("tls", node, method, `TLS handshake failed (${code}: ${error.message.trim()})`);
  }
  const known = CONNECT_ERRORS[code];
  const hostname = (error as { hostname?: string }).hostname;
  if (code === "ENOTFOUND" && hostname) return new RpcError("connect", node, method, `host name ${hostname} does not resolve (${code})`);
  return new RpcError("connect", node, method, known ? `${known} (${code})` : `${error.message}${code ? ` (${code})` : ""}`);
}

/** Connections a client opens to one node at most (one per request in flight). */
export const MAX_CONNECTIONS_PER_NODE = 4;

export class FiscoRpcClient {
  private nextId = 1;
  /** Sockets whose TLS handshake completed (the agent reuses them). */
  private readonly secured = new WeakSet<object>();
  private readonly watched = new WeakSet<object>();
  private readonly agent: http.Agent;
  private readonly target: URL;

  constructor(
    readonly endpoint: RpcEndpoint,
    tls?: TlsMaterial | SecureContext,
  ) {
    this.target = new URL(endpoint.url);
    if (this.target.protocol === "https:") {
      if (!tls) throw new Error(`${endpoint.name}: ${endpoint.url} is https but no CA/certificate/key was given`);
      // Keep-alive connections per node, opened as requests overlap: FISCO answers the requests of one connection in
      // turn, and sendTransaction answers only with the receipt, so while one waits for a block (for ever, when the
      // chain cannot seal) reads must go over another connection (seen on real nodes: a read queued behind a pending
      // deploy timed out and the node was reported unreachable).
      this.agent = new https.Agent({
        keepAlive: true,
        maxSockets: MAX_CONNECTIONS_PER_NODE,
        secureContext: "ca" in tls ? fiscoTlsContext(tls) : tls,
        rejectUnauthorized: true,
        // Node certificates carry no SAN (CN FISCO-BCOS-<hex>): trust comes from the chain CA alone.
        checkServerIdentity: () => undefined,
        // Never offer a TLS session to resume: fisco-bcos v3.16.4 issues session tickets but refuses a reconnect that
        // offers one with a fatal internal_error alert (seen on a real node; docs/real-nodes.md), so the request
        // after the node closed a kept-alive connection would fail.
        maxCachedSessions: 0,
      });
    } else if (this.target.protocol === "http:") {
      this.agent = new http.Agent({ keepAlive: true, maxSockets: MAX_CONNECTIONS_PER_NODE });
    } else {
      throw new Error(`${endpoint.name}: ${endpoint.url} must be an https:// (or http://) URL`);
    }
  }

  get name(): string {
    return this.endpoint.name;
  }

  /** One JSON-RPC call. Resolves with `result`; rejects with an RpcError. */
  request<T = unknown>(method: string, params: readonly unknown[], timeoutMs: number): Promise<T> {
    const id = this.nextId++;
    const body = JSON.stringify({ jsonrpc: "2.0", id, method, params });
    return new Promise<T>((resolve, reject) => {
      const fail = (error: RpcError) => reject(error);
      const options: https.RequestOptions = {
        method: "POST",
        hostname: this.target.hostname.replace(/^\[(.*)\]$/, "$1"),
        port: this.target.port || (this.target.protocol === "https:" ? 443 : 80),
        path: this.target.pathname + this.target.search,
        agent: this.agent,
        headers: { "content-type": "application/json", "content-length": Buffer.byteLength(body) },
      };
      const send = this.target.protocol === "https:" ? https.request : http.request;
      const req = send(options, (res) => {
        const chunks: Buffer[] = [];
        res.on("data", (chunk: Buffer) => chunks.push(chunk));
        res.on("error", (error) => fail(classifyTransportError(error, this.name, method)));
        res.on("end", () => {
          clearTimeout(timer);
          const text = Buffer.concat(chunks).toString("utf8");
          if (res.statusCode !== 200) return fail(new RpcError("http", this.name, method, `HTTP ${res.statusCode} from ${method} (not FISCO's native RPC?)`));
          try {
            resolve(parseResponse<T>(text, id, this.name, method));
          } catch (error) {
            fail(error as RpcError);
          }
        });
      });
      const timer = setTimeout(
        () => {
          req.destroy(new RpcError("timeout", this.name, method, `no answer to ${method} within ${(timeoutMs / 1000).toFixed(1)} s`));
        },
        Math.max(1, timeoutMs),
      );
      let socket: object | undefined;
      req.on("socket", (s) => {
        socket = s;
        if (this.watched.has(s)) return;
        this.watched.add(s);
        s.once("secureConnect", () => this.secured.add(s));
      });
      req.on("error", (error: Error) => {
        clearTimeout(timer);
        const handshaking = this.target.protocol === "https:" && (socket === undefined || !this.secured.has(socket));
        fail(error instanceof RpcError ? error : classifyTransportError(error as NodeJS.ErrnoException, this.name, method, handshaking));
      });
      req.end(body);
    });
  }

  close(): void {
    this.agent.destroy();
  }
}

/**
 * The what() of a C++ exception that fisco-bcos reports in a JSON-RPC error (boost::diagnostic_information: source
 * file and line, the function's signature, the exception type, then `std::exception::what: <text>`), e.g.
 * "Chain ID mismatch!" for sendTransaction with another chain's id; any other message as it is.
 */
export function exceptionWhat(message: string): string {
  const what = /std::exception::what: ([^\n]*)/.exec(message);
  return what ? what[1].trim() : message;
}

/** Check the envelope: same integer id, then either `error` (→ RpcError kind rpc) or `result`. */
export function parseResponse<T>(text: string, id: number, node: string, method: string): T {
  let message: { id?: unknown; result?: unknown; error?: { code?: unknown; message?: unknown } };
  try {
    message = JSON.parse(text);
  } catch {
    throw new RpcError("protocol", node, method, `answer to ${method} is not JSON (not FISCO's native RPC?): ${text.slice(0, 80)}`);
  }
  if (message === null || typeof message !== "object") throw new RpcError("protocol", node, method, `answer to ${method} is not a JSON-RPC object`);
  if (message.error) {
    const code = typeof message.error.code === "number" ? message.error.code : undefined;
    const nodeMessage = exceptionWhat(String(message.error.message ?? "unknown error"));
    throw new RpcError("rpc", node, method, `${method} failed: ${nodeMessage}${code === undefined ? "" : ` (code ${code})`}`, code, nodeMessage);
  }
  if (message.id !== id) throw new RpcError("protocol", node, method, `answer to ${method} carries id ${JSON.stringify(message.id)}, expected ${id}`);
  if (!("result" in message)) throw new RpcError("protocol", node, method, `answer to ${method} has neither result nor error`);
  return message.result as T;
}
