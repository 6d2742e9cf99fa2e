import type { RpcOutcome } from "./batch-client";

/** Error counts by kind, e.g. "rpc -32000: nonce too low", "transport: timeout", "reverted", "no receipt". */
export type ErrorCounts = Record<string, number>;

export function countError(errors: ErrorCounts, kind: string, n = 1): void {
  errors[kind] = (errors[kind] ?? 0) + n;
}

/** A node's JSON-RPC error as a kind: its code and its message with numbers and hex taken out, so alike errors group. */
export function rpcErrorKind(outcome: Extract<RpcOutcome, { ok: false }>): string {
  const message = outcome.message
    .replace(/0x[0-9a-fA-F]+/g, "0x…")
    .replace(/\d+/g, "N")
    .slice(0, 80);
  return `rpc${outcome.code === undefined ? "" : ` ${outcome.code}`}: ${message}`;
}
