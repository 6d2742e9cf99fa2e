// The stack files through the real schema, and images named without a registry host.
import assert from "node:assert/strict";
import { readdirSync } from "node:fs";
import { join } from "node:path";
import { describe, test } from "node:test";
import { faultTolerance } from "../chain/consensus";
import { sealersOf } from "../chain/spec";
import { availableStacks } from "../offline/synth/stack-file";
import { kindStackFacts, parseKindCluster } from "../scripts/lib/kind-stack";
import { bytes, cpu, parseStack, read, requests, ROOT, spec, yamlDocs } from "./support/environments";

describe("stack files through the real schema", () => {
  test("the four stacks exist", () => {
    for (const stack of ["dev", "kind", "prod", "staging"]) assert.ok(availableStacks().includes(stack), stack);
  });

  for (const stack of ["dev", "prod"]) {
    test(`${stack}: parses without error or warning`, () => {
      const { warnings } = parseStack(stack);
      assert.deepEqual(warnings, []);
    });
  }

  test("kind: parses; its only warnings are about NodePort RPC and web3 with auth checking off", () => {
    const { warnings } = parseStack("kind");
    assert.equal(warnings.length, 2, warnings.join("\n"));
    assert.match(warnings[0], /services\.rpc\.type is NodePort with fisco-bcos:authCheck false/);
    assert.match(warnings[1], /services\.web3\.type is NodePort with fisco-bcos:authCheck false/);
  });

  test("staging: parses; its only warning is the documented one about a LoadBalancer RPC with auth checking off", () => {
    const { warnings } = parseStack("staging");
    assert.equal(warnings.length, 1, warnings.join("\n"));
    assert.match(warnings[0], /services\.rpc\.type is LoadBalancer with fisco-bcos:authCheck false/);
  });

  test("each environment has its own namespace", () => {
    const namespaces = availableStacks().map((s) => spec(s).namespace);
    assert.equal(new Set(namespaces).size, namespaces.length, `namespaces: ${namespaces.join(", ")}`);
  });

  test("prod: at least 7 sealers, required spread, protected, web3 off, RPC only inside the cluster, largest pods", () => {
    const prod = spec("prod");
    assert.ok(sealersOf(prod).length >= 7, `prod has ${sealersOf(prod).length} sealers`);
    assert.ok(faultTolerance(sealersOf(prod)) >= 2, "prod tolerates two faulty sealers");
    assert.equal(prod.scheduling.sealerSpread, "required");
    assert.equal(prod.protect, true);
    assert.equal(prod.authCheck, true, "only the committee may change the sealer set");
    assert.equal(prod.web3.enabled, false);
    assert.equal(prod.services.rpc.type, "ClusterIP");
    assert.equal(prod.networkPolicy.enabled, true);
    for (const other of ["dev", "staging"]) {
      const o = spec(other);
      assert.ok(cpu(requests(prod).cpu) > cpu(requests(o).cpu), `prod requests more CPU than ${other}`);
      assert.ok(bytes(requests(prod).memory) > bytes(requests(o).memory), `prod requests more memory than ${other}`);
      assert.ok(bytes(prod.nodeDefaults.storage.size) > bytes(o.nodeDefaults.storage.size), `prod has larger volumes than ${other}`);
    }
  });

  test("staging: production-like (tolerates a fault, has an observer), larger than dev, RPC behind a LoadBalancer", () => {
    const staging = spec("staging");
    const dev = spec("dev");
    assert.ok(faultTolerance(sealersOf(staging)) >= 1);
    assert.ok(
      staging.nodes.some((n) => n.role === "observer"),
      "staging has an observer for read traffic",
    );
    assert.ok(cpu(requests(staging).cpu) > cpu(requests(dev).cpu));
    assert.ok(bytes(staging.nodeDefaults.storage.size) > bytes(dev.nodeDefaults.storage.size));
    assert.equal(staging.services.rpc.type, "LoadBalancer");
    assert.equal(staging.protect, false);
    assert.equal(staging.networkPolicy.enabled, true);
  });

  test("dev: four sealers that tolerate one fault, small pods, web3 on, services inside the cluster", () => {
    const dev = spec("dev");
    assert.ok(sealersOf(dev).length >= 4);
    assert.ok(faultTolerance(sealersOf(dev)) >= 1);
    assert.equal(dev.web3.enabled, true);
    assert.equal(dev.services.rpc.type, "ClusterIP");
    assert.equal(dev.services.web3.type, "ClusterIP");
    assert.equal(dev.scheduling.sealerSpread, "preferred");
    assert.equal(dev.protect, false);
  });

  test("kind: NodePorts mapped by deploy/kind/cluster.yaml, storage class standard, images kind can load", () => {
    const kind = spec("kind");
    const cluster = parseKindCluster(read("deploy/kind/cluster.yaml"));
    assert.equal(kind.services.rpc.type, "NodePort");
    assert.equal(kind.services.web3.type, "NodePort");
    assert.equal(kind.web3.enabled, true);
    assert.deepEqual(
      cluster.portMappings.map((m) => m.containerPort).sort(),
      [kind.services.rpc.nodePort, kind.services.web3.nodePort].sort(),
      "extraPortMappings containerPorts are exactly the stack's nodePorts",
    );
    for (const node of kind.nodes) assert.equal(node.storage.storageClass, "standard", `${node.name}: kind's default StorageClass`);
    assert.notEqual(kind.imagePullPolicy, "Always", "images loaded with kind load must not be pulled again");
    // More sealers than workers: only the preferred spread can schedule them all.
    assert.ok(sealersOf(kind).length > cluster.workers);
    assert.equal(kind.scheduling.sealerSpread, "preferred");
    assert.equal(kind.networkPolicy.enabled, false, "host traffic to the NodePorts would be dropped by the clients policy");
    assert.equal(kind.protect, false);
  });
});

describe("images are named in short form (no registry host)", () => {
  /** A reference whose first path component has a dot or a port names a registry host. */
  const hasHost = (image: string) => /^[^/]+[.:][^/]*\//.test(image);

  function imagesIn(value: unknown): string[] {
    if (Array.isArray(value)) return value.flatMap(imagesIn);
    if (!value || typeof value !== "object") return [];
    return Object.entries(value).flatMap(([key, v]) => (key === "image" && typeof v === "string" ? [v] : imagesIn(v)));
  }

  test("every image: in deploy/ and every image kind-up loads", () => {
    const yamlFiles = ["deploy"].flatMap(function walk(dir: string): string[] {
      return readdirSync(join(ROOT, dir), { withFileTypes: true }).flatMap((e) =>
        e.isDirectory() ? walk(`${dir}/${e.name}`) : /\.ya?ml$/.test(e.name) ? [`${dir}/${e.name}`] : [],
      );
    });
    const images = yamlFiles.flatMap((f) => yamlDocs(f).flatMap(imagesIn));
    assert.ok(images.length > 0);
    const facts = kindStackFacts(spec("kind"), parseKindCluster(read("deploy/kind/cluster.yaml")));
    for (const image of [...images, ...facts.images]) assert.ok(!hasHost(image), `${image} names a registry host`);
  });
});
