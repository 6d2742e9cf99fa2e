import { RpcError } from "../fisco/rpc-client";

/** Error counts by kind, e.g. "rpc 10002: TxPoolIsFull", "status 16: …", "transport: timeout", "no receipt …". */
export type ErrorCounts = Record<string, number>;

export function countError(errors: ErrorCounts, kind: string, n = 1): void {
  if (n > 0) errors[kind] = (errors[kind] ?? 0) + n;
}

/** A message with numbers and hex taken out, so alike errors group under one kind. */
export function generalize(message: string): string {
  return message
    .replace(/0x[0-9a-fA-F]+/g, "0x…")
    .replace(/\d+/g, "N")
    .slice(0, 80);
}

/** A node's JSON-RPC error as a kind: `rpc <code>: <the node's message, generalized>`. */
export function rpcErrorKind(error: { readonly code?: number; readonly message: string }): string {
  return `rpc${error.code === undefined ? "" : ` ${error.code}`}: ${generalize(error.message)}`;
}

/** A failed receipt as a kind: `status <n>: <the node's message, generalized>` (e.g. 16 RevertInstruction). */
export function receiptErrorKind(status: number, message: string): string {
  return `status ${status}${message ? `: ${generalize(message)}` : ""}`;
}

/** Any failure of a request as a kind: the node's JSON-RPC error, or `transport: <kind> (<why>)`. */
export function requestErrorKind(error: unknown): string {
  if (error instanceof RpcError) {
    if (error.kind === "rpc") return rpcErrorKind({ code: error.code, message: error.nodeMessage ?? error.message });
    return `transport: ${error.kind}${error.kind === "timeout" ? "" : ` (${generalize(error.message).slice(0, 60)})`}`;
  }
  return `transport: ${generalize((error as Error).message).slice(0, 60)}`;
}

/** What in-flight requests become when Ctrl-C stops a run. */
export const INTERRUPTED = "not followed: interrupted";
