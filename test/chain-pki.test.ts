import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { X509Certificate, createPrivateKey, createPublicKey } from "node:crypto";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { before, describe, test } from "node:test";
import { nodeIdFromPem } from "../chain/keys";
import type { OfflineRun } from "../offline/mocks/run-program";
import { parseIni } from "./support/ini";
import { foreignIdentity } from "./support/foreign-ca";
import { k8sObject, resourcesOfType, runChain } from "./support/offline-chain";
import { mutualTlsHandshake, type TlsIdentity } from "./support/tls-handshake";

const NODES = ["node0", "node1", "node2", "node3"];
let run: OfflineRun;
const conf = (node: string) => k8sObject(run, "Secret", `fisco-${node}-keys`).stringData as Record<string, string>;
const files = (node: string) => k8sObject(run, "ConfigMap", `fisco-${node}-config`).data as Record<string, string>;
const sdk = () => k8sObject(run, "Secret", "fisco-sdk").stringData as Record<string, string>;

function openssl(args: string[], pems: Record<string, string>): string {
  const dir = mkdtempSync(join(tmpdir(), "pki-"));
  for (const [name, pem] of Object.entries(pems)) writeFileSync(join(dir, name), pem);
  return execFileSync("openssl", args, { cwd: dir, encoding: "utf8" });
}

before(async () => {
  run = await runChain({ certificates: { validityDays: 3650 } });
});

describe("chain PKI (real keys and certificates from the offline tls provider)", () => {
  test("openssl verifies every node certificate and the SDK certificate against the chain CA", () => {
    const pems = Object.fromEntries([
      ["ca.crt", run.outputs.caCertificate],
      ["sdk.crt", sdk()["sdk.crt"]],
      ...NODES.map((n) => [`${n}.crt`, conf(n)["ssl.crt"]]),
    ]);
    const out = openssl(["verify", "-CAfile", "ca.crt", "sdk.crt", ...NODES.map((n) => `${n}.crt`)], pems);
    assert.equal(out.match(/: OK/g)?.length, 5, out);
  });

  test("the CA follows FISCO's layout: RSA-2048, CN and O FISCO-BCOS-<8 hex>, OU chain, a CA, validity from config", () => {
    const ca = new X509Certificate(run.outputs.caCertificate);
    const tag = /CN=FISCO-BCOS-([0-9a-f]{8})/.exec(ca.subject)?.[1];
    assert.ok(tag, ca.subject);
    assert.match(ca.subject, new RegExp(`O=FISCO-BCOS-${tag}`));
    assert.match(ca.subject, /OU=chain/);
    assert.equal(ca.ca, true);
    assert.equal(ca.publicKey.asymmetricKeyDetails?.modulusLength, 2048);
    const days = (Date.parse(ca.validTo) - Date.parse(ca.validFrom)) / 86_400_000;
    assert.equal(days, 3650);
  });

  test("node and SDK certificates: O fisco-bcos, OU agency, not a CA, no SAN, the key in ssl.key is PKCS#8 and matches", () => {
    const ca = new X509Certificate(run.outputs.caCertificate);
    const leaves = [...NODES.map((n) => [conf(n)["ssl.crt"], conf(n)["ssl.key"]]), [sdk()["sdk.crt"], sdk()["sdk.key"]]];
    for (const [certPem, keyPem] of leaves) {
      const cert = new X509Certificate(certPem);
      assert.match(cert.subject, /O=fisco-bcos/);
      assert.match(cert.subject, /OU=agency/);
      assert.equal(cert.subject.match(/CN=(.*)/)?.[1], ca.subject.match(/CN=(.*)/)?.[1]);
      assert.equal(cert.ca, false);
      assert.equal(cert.subjectAltName, undefined);
      assert.ok(cert.checkIssued(ca) && cert.verify(ca.publicKey));
      assert.match(keyPem, /^-----BEGIN PRIVATE KEY-----\n/);
      assert.ok(cert.checkPrivateKey(createPrivateKey(keyPem)));
      assert.equal(createPrivateKey(keyPem).asymmetricKeyDetails?.modulusLength, 2048);
    }
    const moduli = leaves.map(([c]) => createPublicKey(c).export({ format: "jwk" }).n);
    assert.equal(new Set(moduli).size, leaves.length, "every node has its own TLS key (its P2P id)");
  });

  test("a node certificate and the SDK certificate complete a real mutual-TLS handshake through the chain CA", async () => {
    const server: TlsIdentity = { ca: run.outputs.caCertificate, cert: conf("node1")["ssl.crt"], key: conf("node1")["ssl.key"] };
    const client: TlsIdentity = { ca: sdk()["ca.crt"], cert: sdk()["sdk.crt"], key: sdk()["sdk.key"] };
    const result = await mutualTlsHandshake(server, client);
    assert.equal(result.ok, true, result.error);
    assert.equal(result.serverSawClientCert, new X509Certificate(client.cert).fingerprint256);
    assert.equal(result.clientSawServerCert, new X509Certificate(server.cert).fingerprint256);
  });

  test("two nodes authenticate each other as P2P peers do", async () => {
    const identity = (n: string): TlsIdentity => ({ ca: conf(n)["ca.crt"], cert: conf(n)["ssl.crt"], key: conf(n)["ssl.key"] });
    assert.equal((await mutualTlsHandshake(identity("node0"), identity("node3"))).ok, true);
  });

  test("a client certificate from a foreign CA is refused, and a client trusting a foreign CA refuses the node", async () => {
    const foreign = await foreignIdentity();
    const node: TlsIdentity = { ca: run.outputs.caCertificate, cert: conf("node0")["ssl.crt"], key: conf("node0")["ssl.key"] };
    const refusedByNode = await mutualTlsHandshake(node, { ca: run.outputs.caCertificate, cert: foreign.cert, key: foreign.key });
    assert.equal(refusedByNode.ok, false);
    assert.equal(refusedByNode.serverSawClientCert, undefined);
    const refusedByClient = await mutualTlsHandshake(node, { ca: foreign.ca, cert: sdk()["sdk.crt"], key: sdk()["sdk.key"] });
    assert.equal(refusedByClient.ok, false);
    assert.match(refusedByClient.error ?? "", /self[- ]signed|unable to verify|certificate/i);
  });
});

describe("consensus identities and genesis", () => {
  test("genesis node lines equal the node ids, which derive from each node's own node.pem", () => {
    const genesis = parseIni(files("node0")["config.genesis"]).get("consensus")!;
    const lines = [...genesis].filter(([k]) => k.startsWith("node.")).map(([, v]) => v);
    assert.deepEqual(
      lines,
      NODES.map((n) => `${run.outputs.nodeIds[n]}: 1`),
    );
    for (const n of NODES) {
      assert.equal(nodeIdFromPem(conf(n)["node.pem"]), run.outputs.nodeIds[n]);
      assert.equal(conf(n)["node.nodeid"], `${run.outputs.nodeIds[n]}\n`);
    }
    assert.equal(new Set(Object.values(run.outputs.nodeIds)).size, NODES.length);
  });

  test("every node gets the identical genesis, and the admin account is in it", () => {
    const texts = new Set(NODES.map((n) => files(n)["config.genesis"]));
    assert.equal(texts.size, 1);
    assert.equal(
      parseIni([...texts][0])
        .get("executor")!
        .get("auth_admin_account"),
      run.outputs.adminAddress,
    );
    assert.match(run.outputs.genesisDigest, /^[0-9a-f]{64}$/);
  });

  test("consensus keys and the admin account come from 32 bytes of Pulumi-managed randomness each", () => {
    const seeds = resourcesOfType(run, "random:index/randomBytes:RandomBytes");
    assert.equal(seeds.length, NODES.length + 1);
    assert.ok(seeds.every((s) => s.inputs.length === 32));
  });
});

describe("Kubernetes objects for identity and configuration", () => {
  test("each node Secret holds only that node's keys and ca.crt, never the CA key", () => {
    for (const n of NODES) assert.deepEqual(Object.keys(conf(n)).sort(), ["ca.crt", "node.nodeid", "node.pem", "ssl.crt", "ssl.key"]);
    const caKey = resourcesOfType(run, "tls:index/privateKey:PrivateKey").find((r) => r.name === "fisco-pki-ca")!.state;
    const caKeyBody = (pem: string) => pem.split("\n").slice(1, 4).join("");
    const everything = JSON.stringify(run.engine.kubernetesObjects().map((o) => o.inputs));
    assert.ok(!everything.includes(caKeyBody(caKey.privateKeyPem)) && !everything.includes(caKeyBody(caKey.privateKeyPemPkcs8)));
    for (const n of NODES) {
      const others = NODES.filter((o) => o !== n).map((o) => conf(o)["ssl.key"]);
      assert.ok(others.every((key) => !JSON.stringify(conf(n)).includes(key)));
    }
  });

  test("each node ConfigMap holds config.ini, config.genesis and nodes.json, and no key material", () => {
    for (const n of NODES) {
      assert.deepEqual(Object.keys(files(n)).sort(), ["config.genesis", "config.ini", "nodes.json"]);
      assert.doesNotMatch(JSON.stringify(files(n)), /PRIVATE KEY/);
    }
  });

  test("the SDK Secret carries ca.crt, sdk.crt, sdk.key and ready-to-use configs", () => {
    assert.deepEqual(Object.keys(sdk()).sort(), ["ca.crt", "config.ini", "config.toml", "endpoints.json", "sdk.crt", "sdk.key"]);
    assert.equal(sdk()["ca.crt"], run.outputs.caCertificate);
    assert.deepEqual(JSON.parse(sdk()["endpoints.json"]), run.outputs.endpoints);
  });

  test("stack outputs: node ids, endpoints, admin address, genesis digest and chart values", () => {
    assert.deepEqual(Object.keys(run.outputs.nodeIds), NODES);
    assert.match(run.outputs.adminAddress, /^0x[0-9a-f]{40}$/);
    assert.equal(run.outputs.chartValues.nodes.length, NODES.length);
    assert.equal(run.outputs.chartValues.nodes[0].secretName, "fisco-node0-keys");
  });
});
