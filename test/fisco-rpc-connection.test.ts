import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { fiscoTlsContext, RpcError } from "../fisco/rpc-client";
import { parseHttpAnswer, RpcConnection } from "../fisco/rpc-connection";
import { chainFixture, type ChainFixture } from "../doubles/chain-fixture";
import { FiscoRpcDouble } from "../doubles/fisco-rpc-double";
import { foreignIdentity } from "./support/foreign-ca";

/* fisco/rpc-connection.ts: the load generator's keep-alive connection, by hand over TLS, against FiscoRpcDouble. */

let fixture: ChainFixture;
let double: FiscoRpcDouble;

before(async () => {
  fixture = await chainFixture(1);
  double = await FiscoRpcDouble.start({ ca: fixture.ca, nodes: fixture.nodes, initialHeight: 3 });
});
after(() => double?.close());

describe("HTTP/1.1 answers", () => {
  const answer = (body: string, headers = `Content-Length: ${Buffer.byteLength(body)}`) =>
    Buffer.from(`HTTP/1.1 200 OK\r\nServer: Boost.Beast/330\r\n${headers}\r\n\r\n${body}`);

  test("whole, incomplete, closing, chunked, not HTTP, and two answers at once", () => {
    assert.deepEqual(parseHttpAnswer(answer('{"id":1}')), { status: 200, body: '{"id":1}', close: false });
    assert.equal(parseHttpAnswer(answer('{"id":1}').subarray(0, 60)), "incomplete");
    assert.equal(parseHttpAnswer(Buffer.from("HTTP/1.1 200 OK\r\nContent-Le")), "incomplete");
    assert.equal((parseHttpAnswer(answer("{}", "Content-Length: 2\r\nConnection: close")) as { close: boolean }).close, true);
    assert.match(String(parseHttpAnswer(answer("{}", "Transfer-Encoding: chunked"))), /chunked answers are not supported/);
    assert.match(String(parseHttpAnswer(Buffer.from("SSH-2.0-OpenSSH\r\n\r\n"))), /not an HTTP answer/);
    assert.match(String(parseHttpAnswer(Buffer.concat([answer("{}"), answer("{}")]))), /more bytes than one answer/);
  });
});

describe("RpcConnection against the double (mutual TLS)", () => {
  const endpoint = () => ({ name: "node0", url: double.url("node0") });

  test("answers in turn on one connection, and opens it again after the node closed it", async () => {
    const conn = new RpcConnection(endpoint(), fiscoTlsContext(fixture.sdk));
    assert.equal(await conn.request("getBlockNumber", '["group0",""]', 5000), 3);
    assert.deepEqual(await conn.request("getGroupInfo", '["group0"]', 5000).then((r) => (r as { chainID: string }).chainID), "chain0");
    await double.down("node0");
    await assert.rejects(conn.request("getBlockNumber", '["group0",""]', 5000), (e: RpcError) => e instanceof RpcError && e.kind === "connect");
    await double.up("node0");
    assert.equal(await conn.request("getBlockNumber", '["group0",""]', 5000), 3);
    await assert.rejects(
      conn.request("getBlockNumber", '["other",""]', 5000),
      (e: RpcError) => e.kind === "rpc" && e.code === -32000 && /doesn't exist/.test(e.nodeMessage!),
    );
    conn.close();
  });

  test("a client certificate from another CA is refused in the handshake, and said so", async () => {
    const foreign = await foreignIdentity();
    const conn = new RpcConnection(endpoint(), fiscoTlsContext({ ca: fixture.sdk.ca, cert: foreign.cert, key: foreign.key }));
    await assert.rejects(conn.open(5000), (e: RpcError) => e.kind === "tls" && /client certificate/.test(e.message));
  });

  test("one request at a time: a second one while the first is in flight is refused", async () => {
    const conn = new RpcConnection(endpoint(), fiscoTlsContext(fixture.sdk));
    const first = conn.request("getBlockNumber", '["group0",""]', 5000);
    await assert.rejects(conn.request("getBlockNumber", '["group0",""]', 5000), /one request at a time/);
    assert.equal(await first, 3);
    conn.close();
  });
});
