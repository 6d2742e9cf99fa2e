import { randomBytes } from "node:crypto";
import * as http from "node:http";
import * as https from "node:https";
import { signTransaction, randomNonce, type TransactionData } from "../fisco/native-tx";
import { exceptionWhat } from "../fisco/rpc-client";
import { isGovernorInput, COMMITTEE_MANAGER_ADDRESS } from "../members/abi";
import { throwawayKey } from "../verify/native-probe";
import { PROBE_ABI, PROBE_CREATION_CODE, encodeGet, encodeSet } from "../verify/probe/probe";

/**
 * The native RPC conversation the project's clients have with a node (verifier, load generator, membership, local
 * runner, readiness agent), as one scripted scenario of raw JSON-RPC requests, including the failures they must
 * understand. `npm run record:rpc` runs it against a real fisco-bcos and writes every answer verbatim to
 * test/fixtures/real-node/; test/rpc-conformance.test.ts runs it against FiscoRpcDouble and compares the answers'
 * shapes (keys, types, string formats) and the values that must match exactly (error codes and messages, statuses).
 */

export interface RawAnswer {
  readonly httpStatus: number;
  /** The body parsed as JSON, or the text when it is not JSON. */
  readonly body: unknown;
}

/** One request/answer of the scenario. `exact`: paths (a.b.c) whose values must be equal, not only alike. */
export interface ConformanceCase {
  readonly name: string;
  readonly request: unknown;
  readonly answer: RawAnswer;
  readonly exact: readonly string[];
}

export interface Recording {
  /** What was recorded against (fisco-bcos --version), and when. */
  readonly source: string;
  readonly recordedAt: string;
  readonly cases: readonly ConformanceCase[];
}

/** POSTs a body to the node and returns its answer. */
export type RawTransport = (body: string) => Promise<RawAnswer>;

export interface TransportTls {
  readonly ca: string;
  readonly cert: string;
  readonly key: string;
}

/**
 * A transport to one URL that opens a fresh connection per request and never offers TLS session resumption
 * (FISCO v3.16.4 answers a resumption attempt with an internal_error alert).
 */
export function rawTransport(url: string, tls?: TransportTls): { send: RawTransport; close: () => void } {
  const target = new URL(url);
  const isHttps = target.protocol === "https:";
  const agent = isHttps
    ? new https.Agent({ ...tls, maxCachedSessions: 0, minVersion: "TLSv1.2", maxVersion: "TLSv1.2", checkServerIdentity: () => undefined })
    : new http.Agent();
  const send: RawTransport = (body) =>
    new Promise((resolve, reject) => {
      const request = (isHttps ? https.request : http.request)(
        {
          method: "POST",
          hostname: target.hostname,
          port: target.port,
          path: "/",
          agent,
          headers: { "content-type": "application/json", "content-length": Buffer.byteLength(body) },
        },
        (res) => {
          const chunks: Buffer[] = [];
          res.on("data", (c: Buffer) => chunks.push(c));
          res.on("end", () => {
            const text = Buffer.concat(chunks).toString("utf8");
            let parsed: unknown = text;
            try {
              parsed = JSON.parse(text);
            } catch {
              // kept as text
            }
            resolve({ httpStatus: res.statusCode ?? 0, body: parsed });
          });
        },
      );
      request.setTimeout(60_000, () => request.destroy(new Error(`no answer within 60 s to ${body.slice(0, 80)}`)));
      request.on("error", reject);
      request.end(body);
    });
  return { send, close: () => agent.destroy() };
}

export interface ScenarioOptions {
  readonly chainId: string;
  readonly groupId: string;
  readonly send: RawTransport;
}

const ERROR_FIELDS = ["error.code", "error.message"];

/** Run the scenario; the cases come back in order. Throws when a step the next ones need does not succeed. */
export async function runScenario(options: ScenarioOptions): Promise<ConformanceCase[]> {
  const cases: ConformanceCase[] = [];
  const group = options.groupId;
  let id = 1;
  const raw = async (name: string, body: string, exact: readonly string[] = []): Promise<RawAnswer> => {
    const answer = await options.send(body);
    let request: unknown = body;
    try {
      request = JSON.parse(body);
    } catch {
      // an invalid body is recorded as the text sent
    }
    cases.push({ name, request, answer, exact });
    return answer;
  };
  const rpc = (name: string, method: string, params: unknown, exact: readonly string[] = []) =>
    raw(name, JSON.stringify({ jsonrpc: "2.0", id: id++, method, params }), exact);
  const result = (answer: RawAnswer, what: string): unknown => {
    const body = answer.body as { result?: unknown; error?: unknown };
    if (!body || typeof body !== "object" || !("result" in body)) throw new Error(`${what}: no result in ${JSON.stringify(answer.body).slice(0, 300)}`);
    return body.result;
  };

  // Reads every client makes.
  const height = Number(result(await rpc("getBlockNumber", "getBlockNumber", [group, ""]), "getBlockNumber"));
  await rpc("getSealerList", "getSealerList", [group, ""]);
  await rpc("getObserverList", "getObserverList", [group, ""]);
  await rpc("getGroupInfo", "getGroupInfo", [group]);
  await rpc("getGroupInfo of an unknown group", "getGroupInfo", ["nosuchgroup"], ["result"]);
  await rpc("getSyncStatus", "getSyncStatus", [group, ""]);
  await rpc("getConsensusStatus", "getConsensusStatus", [group, ""]);
  await rpc("getGroupPeers", "getGroupPeers", [group]);
  await rpc("getGroupPeers of an unknown group", "getGroupPeers", ["nosuchgroup"], ["result"]);
  await rpc("getBlockHashByNumber 0", "getBlockHashByNumber", [group, "", 0]);
  await rpc("getBlockHashByNumber beyond the head", "getBlockHashByNumber", [group, "", height + 10_000], ["result"]);
  await rpc("getBlockByNumber beyond the head", "getBlockByNumber", [group, "", height + 10_000, false, true], ERROR_FIELDS);
  await rpc("getSystemConfigByKey tx_gas_limit", "getSystemConfigByKey", [group, "", "tx_gas_limit"], ["result.value"]);
  await rpc("getSystemConfigByKey of a key never set", "getSystemConfigByKey", [group, "", "feature_balance"], ERROR_FIELDS);
  await rpc("getTransactionReceipt of an unknown hash", "getTransactionReceipt", [group, "", `0x${"ab".repeat(32)}`, false], ERROR_FIELDS);
  await rpc(
    "call isGovernor on the committee",
    "call",
    [group, "", COMMITTEE_MANAGER_ADDRESS, isGovernorInput(`0x${"12".repeat(20)}`)],
    ["result.status", "result.output"],
  );

  // The verifier's probe: deploy, set, get, receipt, block.
  const key = throwawayKey();
  const tx = (blockLimit: number, to: string, input: Buffer, abi = ""): TransactionData => ({
    version: 0,
    chainId: options.chainId,
    groupId: group,
    blockLimit,
    nonce: randomNonce(randomBytes),
    to,
    input,
    abi,
  });
  const deploy = signTransaction(tx(height + 500, "", Buffer.from(PROBE_CREATION_CODE.slice(2), "hex"), JSON.stringify(PROBE_ABI)), key, { attribute: 1 });
  const deployed = result(
    await rpc("sendTransaction deploy", "sendTransaction", [group, "", deploy.hex, false], ["result.status", "result.output"]),
    "deploy",
  ) as { contractAddress: string; blockNumber: number };
  const contract = deployed.contractAddress;
  const set = signTransaction(tx(height + 500, contract, Buffer.from(encodeSet(42n).slice(2), "hex")), key, { attribute: 1 });
  const written = result(await rpc("sendTransaction set(42)", "sendTransaction", [group, "", set.hex, false], ["result.status", "result.output"]), "set") as {
    blockNumber: number;
  };
  await rpc("call get()", "call", [group, "", contract, encodeGet()], ["result.status", "result.output"]);
  await rpc("call an unknown selector (reverts)", "call", [group, "", contract, "0x12345678"], ["result.status"]);
  await rpc("call an address without code", "call", [group, "", `0x${"34".repeat(20)}`, encodeGet()], ["result.status", "result.output"]);
  await rpc("getTransactionReceipt", "getTransactionReceipt", [group, "", set.hash, false], ["result.status", "result.output"]);
  await rpc("getBlockByNumber with transaction hashes", "getBlockByNumber", [group, "", written.blockNumber, false, true]);
  await rpc("getBlockHashByNumber of the write's block", "getBlockHashByNumber", [group, "", written.blockNumber]);
  const reverted = signTransaction(tx(height + 500, contract, Buffer.from(encodeSet(0n).slice(2), "hex")), key, { attribute: 1 });
  await rpc("sendTransaction set(0) (reverts)", "sendTransaction", [group, "", reverted.hex, false], ["result.status"]);

  // What the txpool and the RPC refuse.
  await rpc("sendTransaction again (same nonce)", "sendTransaction", [group, "", set.hex, false], ERROR_FIELDS);
  const current = written.blockNumber + 1;
  const send = (name: string, data: TransactionData, exact = ERROR_FIELDS) =>
    rpc(name, "sendTransaction", [group, "", signTransaction(data, key, { attribute: 1 }).hex, false], exact);
  await send("sendTransaction with another chain id", { ...tx(current + 500, contract, Buffer.from(encodeGet().slice(2), "hex")), chainId: "otherchain" });
  await send("sendTransaction with another group id", { ...tx(current + 500, contract, Buffer.from(encodeGet().slice(2), "hex")), groupId: "othergroup" });
  await send("sendTransaction with a block limit too far ahead", tx(current + 5_000, contract, Buffer.from(encodeGet().slice(2), "hex")));
  await send("sendTransaction with an expired block limit", tx(Math.max(0, written.blockNumber - 1), contract, Buffer.from(encodeGet().slice(2), "hex")));
  const good = signTransaction(tx(current + 500, contract, Buffer.from(encodeGet().slice(2), "hex")), key, { attribute: 1 });
  // The signature is the last field but attribute (tag 5: "50 01"): make r zero, which recovers no key.
  const badSignature = `${good.hex.slice(0, -4 - 130)}${"00".repeat(64)}${good.hex.slice(-6, -4)}${good.hex.slice(-4)}`;
  await rpc("sendTransaction with an invalid signature", "sendTransaction", [group, "", badSignature, false], ERROR_FIELDS);
  // The dataHash (tag 2, 32 bytes after "2d 00 00 20") of another transaction.
  const hashAt = good.hex.indexOf(`2d000020${good.hash.slice(2)}`);
  const mismatched = `${good.hex.slice(0, hashAt + 8)}${"cd".repeat(32)}${good.hex.slice(hashAt + 8 + 64)}`;
  await rpc("sendTransaction with a mismatching dataHash", "sendTransaction", [group, "", mismatched, false], ERROR_FIELDS);
  await rpc("sendTransaction with bytes that are not a transaction", "sendTransaction", [group, "", "0x0102", false], ["error.code"]);
  await rpc("sendTransaction with odd-length hex", "sendTransaction", [group, "", "0x123", false], ERROR_FIELDS);

  // The JSON-RPC envelope.
  await rpc("getBlockNumber of an unknown group", "getBlockNumber", ["nosuchgroup", ""], ERROR_FIELDS);
  await rpc("an unknown method", "noSuchMethod", [group, ""], ERROR_FIELDS);
  await raw("a string id", JSON.stringify({ jsonrpc: "2.0", id: "abc", method: "getBlockNumber", params: [group, ""] }), ["id", "jsonrpc", ...ERROR_FIELDS]);
  await raw("params not an array", JSON.stringify({ jsonrpc: "2.0", id: id++, method: "getBlockNumber", params: { group } }), [
    "id",
    "jsonrpc",
    ...ERROR_FIELDS,
  ]);
  await raw("no jsonrpc member", JSON.stringify({ id: id++, method: "getBlockNumber", params: [group, ""] }), ["id", "jsonrpc", ...ERROR_FIELDS]);
  await raw("a body that is not JSON", "{not json", ["id", "jsonrpc", ...ERROR_FIELDS]);
  return cases;
}

// ------------------------------------------------------------------------------------------------ comparison

export { exceptionWhat };

/** Source paths in the node's exception reports, made relative to FISCO's source tree (no build machine paths). */
export function redactBuildPaths(text: string): string {
  return text.replace(/(^|[\s("])\/[^\s()"]*?\/(bcos-[\w-]+\/)/g, "$1$2");
}

type Kind =
  "null" | "boolean" | "number" | "array" | "object" | "string:json" | "string:0xhex" | "string:hex" | "string:decimal" | "string:empty" | "string:text";

/** A value's kind; strings are told apart by format (JSON inside a string, 0x-hex, bare hex, decimal digits, text). */
export function kindOf(value: unknown): Kind {
  if (value === null || value === undefined) return "null";
  if (Array.isArray(value)) return "array";
  if (typeof value === "object") return "object";
  if (typeof value === "boolean" || typeof value === "number") return typeof value as Kind;
  const s = String(value);
  if (s === "") return "string:empty";
  if (/^\s*[{[]/.test(s)) {
    try {
      JSON.parse(s);
      return "string:json";
    } catch {
      // text
    }
  }
  if (/^0x[0-9a-fA-F]*$/.test(s)) return "string:0xhex";
  if (/^[0-9]+$/.test(s)) return "string:decimal";
  if (/^[0-9a-fA-F]+$/.test(s) && s.length % 2 === 0 && s.length >= 16) return "string:hex";
  return "string:text";
}

/**
 * How `actual` (the double's answer) differs from `expected` (the real node's) in shape: kinds, object keys, array
 * elements (each against the real node's first element), JSON inside strings; and in value at the `exact` paths.
 */
export function shapeDifferences(expected: unknown, actual: unknown, exact: readonly string[] = [], path = ""): string[] {
  const at = path || "(top)";
  const out: string[] = [];
  const comparable = (v: unknown) => JSON.stringify(typeof v === "string" ? exceptionWhat(v) : v);
  if (exact.includes(path) && comparable(expected) !== comparable(actual))
    out.push(`${at}: ${JSON.stringify(actual)}, the node answered ${JSON.stringify(expected)}`);
  const [ke, ka] = [kindOf(expected), kindOf(actual)];
  if (ke !== ka) {
    // A hex value that happens to be all digits, or short, is still hex.
    const hexish = (k: Kind) => k === "string:hex" || k === "string:decimal" || k === "string:text";
    if (!(hexish(ke) && hexish(ka) && /^[0-9a-f]*$/.test(String(expected)) && /^[0-9a-f]*$/.test(String(actual)))) {
      out.push(`${at}: ${ka} where the node answers ${ke} (${JSON.stringify(expected).slice(0, 80)})`);
      return out;
    }
  }
  const join = (key: string) => (path ? `${path}.${key}` : key);
  if (ke === "object") {
    const [e, a] = [expected as Record<string, unknown>, actual as Record<string, unknown>];
    for (const key of Object.keys(e)) {
      if (!(key in a)) out.push(`${join(key)}: missing (the node answers ${JSON.stringify(e[key]).slice(0, 80)})`);
      else out.push(...shapeDifferences(e[key], a[key], exact, join(key)));
    }
    for (const key of Object.keys(a)) if (!(key in e)) out.push(`${join(key)}: not in the node's answer`);
  } else if (ke === "array") {
    const [e, a] = [expected as unknown[], actual as unknown[]];
    if (e.length > 0) a.forEach((item, i) => out.push(...shapeDifferences(e[Math.min(i, e.length - 1)], item, exact, join(String(i)))));
  } else if (ke === "string:json") {
    out.push(...shapeDifferences(JSON.parse(String(expected)), JSON.parse(String(actual)), exact, join("<json>")));
    if (String(expected).endsWith("\n") !== String(actual).endsWith("\n")) out.push(`${at}: trailing newline differs`);
  }
  return out;
}
