import * as net from "node:net";
import * as tls from "node:tls";
import { classifyTransportError, parseResponse, RpcError, type RpcEndpoint } from "./rpc-client";

/**
 * One keep-alive connection to a node's native RPC (port 20200) for high request rates, where Node's http module
 * costs more per request than FISCO's answer: HTTP/1.1 POST written and read by hand over one socket (mutual TLS 1.2
 * as `fiscoTlsContext` sets it up, or plain TCP for http:// nodes), JSON-RPC with integer ids (parsed as
 * rpc-client's parseResponse does).
 *
 * One request in flight at a time, by design: FISCO's HTTP session reads the next request while the previous is
 * still being handled, but queues answers in the order they complete, from whichever thread completes them
 * (bcos-boostssl httpserver/HttpSession.cpp `onRead` → `read()`, HttpQueue.cpp `enqueue` without a lock), so
 * pipelined requests could be answered out of order and race in its queue. Concurrency comes from more connections.
 *
 * Answers must carry Content-Length (boost.beast's `prepare_payload` sets it); a chunked answer is a protocol error.
 * A connection the node closed is opened again on the next request.
 */
export class RpcConnection {
  private socket: net.Socket | undefined;
  private opening: Promise<net.Socket> | undefined;
  private nextId = 1;
  private chunks: Buffer[] = [];
  private buffered = 0;
  private pending: Pending | undefined;
  /** A request is on its way (connecting, or sent and not answered). */
  private busy = false;
  private readonly target: URL;

  constructor(
    readonly endpoint: RpcEndpoint,
    private readonly secureContext: tls.SecureContext | undefined,
  ) {
    this.target = new URL(endpoint.url);
    if (this.target.protocol === "https:" && !secureContext) throw new Error(`${endpoint.name}: ${endpoint.url} is https but no CA/certificate/key was given`);
    if (this.target.protocol !== "https:" && this.target.protocol !== "http:")
      throw new Error(`${endpoint.name}: ${endpoint.url} must be an https:// (or http://) URL`);
  }

  get name(): string {
    return this.endpoint.name;
  }

  /** Connect (TLS handshake included) now rather than on the first request. @throws RpcError */
  async open(timeoutMs: number): Promise<void> {
    await this.connected(timeoutMs);
  }

  /**
   * One JSON-RPC call; `paramsJson` is the params array already serialised (callers that send many alike requests
   * build it cheaply). Resolves with `result`; rejects with an RpcError (transport, timeout, http, protocol, rpc).
   */
  request(method: string, paramsJson: string, timeoutMs: number): Promise<unknown> {
    if (this.busy) return Promise.reject(new Error(`${this.name}: one request at a time on an RpcConnection`));
    this.busy = true;
    const answer = this.socket ? this.send(this.socket, method, paramsJson, timeoutMs, Date.now()) : this.connectAndSend(method, paramsJson, timeoutMs);
    return answer.finally(() => (this.busy = false));
  }

  private async connectAndSend(method: string, paramsJson: string, timeoutMs: number): Promise<unknown> {
    const started = Date.now();
    return this.send(await this.connected(timeoutMs), method, paramsJson, timeoutMs, started);
  }

  private send(socket: net.Socket, method: string, paramsJson: string, timeoutMs: number, started: number): Promise<unknown> {
    const id = this.nextId++;
    const body = `{"jsonrpc":"2.0","id":${id},"method":"${method}","params":${paramsJson}}`;
    return new Promise((resolve, reject) => {
      const timer = setTimeout(
        () => this.abort(new RpcError("timeout", this.name, method, `no answer to ${method} within ${(timeoutMs / 1000).toFixed(1)} s`)),
        Math.max(1, timeoutMs - (Date.now() - started)),
      );
      this.pending = { id, method, resolve, reject, timer };
      socket.write(
        `POST ${this.target.pathname}${this.target.search} HTTP/1.1\r\nHost: ${this.target.host}\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`,
      );
    });
  }

  close(): void {
    this.abort(new RpcError("connect", this.name, this.pending?.method ?? "", "connection closed by the client"));
  }

  private connected(timeoutMs: number): Promise<net.Socket> {
    if (this.socket) return Promise.resolve(this.socket);
    this.opening ??= this.connect(timeoutMs).finally(() => (this.opening = undefined));
    return this.opening;
  }

  private connect(timeoutMs: number): Promise<net.Socket> {
    const https = this.target.protocol === "https:";
    const host = this.target.hostname.replace(/^\[(.*)\]$/, "$1");
    const port = Number(this.target.port || (https ? 443 : 80));
    return new Promise((resolve, reject) => {
      const socket = https
        ? tls.connect({
            host,
            port,
            secureContext: this.secureContext,
            rejectUnauthorized: true,
            checkServerIdentity: () => undefined,
            servername: net.isIP(host) ? undefined : host,
          })
        : net.connect({ host, port });
      const timer = setTimeout(
        () => socket.destroy(new RpcError("timeout", this.name, "connect", `no connection within ${(timeoutMs / 1000).toFixed(1)} s`)),
        Math.max(1, timeoutMs),
      );
      const failed = (error: Error) => {
        clearTimeout(timer);
        reject(error instanceof RpcError ? error : classifyTransportError(error as NodeJS.ErrnoException, this.name, "connect", https));
      };
      socket.once("error", failed);
      socket.once(https ? "secureConnect" : "connect", () => {
        clearTimeout(timer);
        socket.off("error", failed);
        socket.setNoDelay(true);
        this.attach(socket);
        resolve(socket);
      });
    });
  }

  private attach(socket: net.Socket): void {
    this.socket = socket;
    this.chunks = [];
    this.buffered = 0;
    socket.on("data", (chunk: Buffer) => this.onData(chunk));
    socket.on("error", (error) => {
      if (this.socket === socket) this.abort(classifyTransportError(error as NodeJS.ErrnoException, this.name, this.pending?.method ?? ""));
    });
    socket.on("close", () => {
      if (this.socket === socket)
        this.abort(new RpcError("connect", this.name, this.pending?.method ?? "", "connection closed by the node before it answered"));
    });
  }

  /** Drop the socket and fail the request in flight, if any. */
  private abort(error: RpcError): void {
    const socket = this.socket;
    this.socket = undefined;
    socket?.destroy();
    const pending = this.pending;
    this.pending = undefined;
    if (pending) {
      clearTimeout(pending.timer);
      pending.reject(error);
    }
  }

  private onData(chunk: Buffer): void {
    this.chunks.push(chunk);
    this.buffered += chunk.length;
    const data = this.chunks.length === 1 ? chunk : Buffer.concat(this.chunks, this.buffered);
    const answer = parseHttpAnswer(data);
    if (answer === "incomplete") {
      this.chunks = [data];
      return;
    }
    this.chunks = [];
    this.buffered = 0;
    this.settle(answer);
  }

  private settle(answer: HttpAnswer | Error): void {
    const pending = this.pending;
    if (!pending) return this.abort(new RpcError("protocol", this.name, "", "the node sent an answer nobody asked for"));
    if (answer instanceof Error) return this.abort(new RpcError("protocol", this.name, pending.method, answer.message));
    this.pending = undefined;
    clearTimeout(pending.timer);
    if (answer.close) this.abort(new RpcError("connect", this.name, pending.method, "closed"));
    if (answer.status !== 200)
      return pending.reject(new RpcError("http", this.name, pending.method, `HTTP ${answer.status} from ${pending.method} (not FISCO's native RPC?)`));
    try {
      pending.resolve(parseResponse(answer.body, pending.id, this.name, pending.method));
    } catch (error) {
      pending.reject(error);
    }
  }
}

interface Pending {
  readonly id: number;
  readonly method: string;
  readonly resolve: (result: unknown) => void;
  readonly reject: (error: unknown) => void;
  readonly timer: NodeJS.Timeout;
}

/** A whole HTTP/1.1 answer: status, body text, and whether the server closes the connection after it. */
export interface HttpAnswer {
  readonly status: number;
  readonly body: string;
  readonly close: boolean;
}

const HEADER_END = Buffer.from("\r\n\r\n");

/**
 * Parse one HTTP/1.1 answer from the start of `data`: "incomplete" until headers and Content-Length bytes of body are
 * there; an Error when it is not HTTP/1.x with a Content-Length, or more bytes than one answer arrived.
 */
export function parseHttpAnswer(data: Buffer): HttpAnswer | "incomplete" | Error {
  const end = data.indexOf(HEADER_END);
  if (end < 0) return data.length > 65536 ? new Error("answer headers longer than 64 KiB") : "incomplete";
  const head = data.toString("latin1", 0, end);
  const status = /^HTTP\/1\.[01] (\d{3})/.exec(head);
  if (!status) return new Error(`not an HTTP answer: ${JSON.stringify(head.slice(0, 40))}`);
  const length = /\r\ncontent-length:\s*(\d+)/i.exec(head);
  if (!length) return new Error(/\r\ntransfer-encoding:\s*chunked/i.test(head) ? "chunked answers are not supported" : "answer without Content-Length");
  const total = end + 4 + Number(length[1]);
  if (data.length < total) return "incomplete";
  if (data.length > total) return new Error("more bytes than one answer (the node answered a request twice?)");
  return { status: Number(status[1]), body: data.toString("utf8", end + 4, total), close: /\r\nconnection:\s*close/i.test(head) };
}
