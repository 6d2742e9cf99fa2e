import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, test } from "node:test";
import { computeAddress } from "ethers";
import { accountFromPrivateKeyHex, accountFromSeed, addressFromNodeId, consensusKeyFromSeed, nodeIdFromPem, scalarFromSeed } from "../chain/keys";
import { referenceFile } from "./support/reference";

const N = 0xfffffffffffffffffffffffffffffffebaaedce6af48a03bbfd25e8cd0364141n;
const hex64 = (n: bigint) => n.toString(16).padStart(64, "0");

describe("consensus keys", () => {
  test("node.nodeid derives from node.pem exactly as build_chain does (reference tree)", () => {
    for (const node of ["node0", "node1", "node2", "node3"]) {
      assert.equal(nodeIdFromPem(referenceFile(`${node}/conf/node.pem`)), referenceFile(`${node}/conf/node.nodeid`).trim());
    }
  });

  test("node.pem has build_chain's PKCS#8 layout: 132-byte DER, id-ecPublicKey, secp256k1, public key included", () => {
    const key = consensusKeyFromSeed("ab".repeat(32));
    const dir = mkdtempSync(join(tmpdir(), "keys-"));
    writeFileSync(join(dir, "node.pem"), key.pem);
    const ours = execFileSync("openssl", ["asn1parse", "-in", join(dir, "node.pem")], { encoding: "utf8" });
    writeFileSync(join(dir, "ref.pem"), referenceFile("node0/conf/node.pem"));
    const theirs = execFileSync("openssl", ["asn1parse", "-in", join(dir, "ref.pem")], { encoding: "utf8" });
    const shape = (dump: string) => dump.split("\n").map((l) => l.replace(/\[HEX DUMP\]:.*/, "[HEX]"));
    assert.deepEqual(shape(ours), shape(theirs));
    assert.match(ours, /l= 132 cons: SEQUENCE/);
    const text = execFileSync("openssl", ["ec", "-in", join(dir, "node.pem"), "-text", "-noout"], { encoding: "utf8" });
    const pub = text.split("pub:")[1].split("ASN1 OID")[0].replace(/[\s:]/g, "");
    assert.equal(pub, `04${key.nodeId}`);
    assert.equal(nodeIdFromPem(key.pem), key.nodeId);
    assert.match(key.nodeId, /^[0-9a-f]{128}$/);
  });

  test("the same seed always gives the same key; different seeds differ", () => {
    assert.deepEqual(consensusKeyFromSeed("01".repeat(32)), consensusKeyFromSeed("01".repeat(32)));
    assert.notEqual(consensusKeyFromSeed("01".repeat(32)).nodeId, consensusKeyFromSeed("02".repeat(32)).nodeId);
  });

  test("every seed maps into [1, n-1], including the edges", () => {
    assert.equal(scalarFromSeed(hex64(0n)).toString("hex"), hex64(1n));
    assert.equal(scalarFromSeed(hex64(N - 2n)).toString("hex"), hex64(N - 1n));
    assert.equal(scalarFromSeed(hex64(N - 1n)).toString("hex"), hex64(1n));
    assert.equal(scalarFromSeed("f".repeat(64)).length, 32);
    assert.throws(() => scalarFromSeed("abc"), /at least 32 bytes/);
  });

  test("the admin address is keccak256(X‖Y)[12:], lowercase, and agrees with ethers", () => {
    for (const seed of ["11", "22", "33"].map((b) => b.repeat(32))) {
      const account = accountFromSeed(seed);
      assert.match(account.address, /^0x[0-9a-f]{40}$/);
      assert.equal(account.address, computeAddress(account.privateKeyHex).toLowerCase());
      assert.equal(account.address, addressFromNodeId(nodeIdFromPem(account.pem)));
      assert.deepEqual(accountFromPrivateKeyHex(account.privateKeyHex), account);
    }
  });
});
