#!/usr/bin/env node
// TEST DOUBLE for the fisco-bcos binary (FISCO BCOS 3.x air node). It is not FISCO: it only behaves like the real
// binary where the local chain runner (local/) can tell, so that CI can run the runner without the real node.
//
// Like fisco-bcos v3.16.4 (libinitializer/CommandHelper.cpp, fisco-bcos-air/main.cpp, bcos-gateway):
//   --version / -v     prints the five version lines and exits 0
//   -c <ini> -g <gen>  (defaults ./config.ini, ./config.genesis); a missing file: a message and exit 0
//   start              resolves every peer name of nodes.json ([p2p] nodes_path + nodes_file) once; a name that does
//                      not resolve makes it exit 255; listens on [p2p] and [rpc] (and [web3_rpc] when enabled) at
//                      their listen_ip/listen_port; prints "The fisco-bcos is running..."
//   SIGUSR1            re-reads nodes.json and re-resolves the names (GATEWAY_RELOAD_P2P_CONFIG)
//   SIGTERM, SIGINT    exits 0 ("fisco-bcos program exit normally.")
// Its own behaviour, for tests: it connects to every peer's P2P port (retrying each second) and trades node ids over
// the connection; its RPC port speaks FISCO's native JSON-RPC over mutual TLS with the node's conf/ certificates
// (getBlockNumber → 0, getSyncStatus with the connected peers, getGroupInfo); its web3 port answers eth_blockNumber.
// It appends one JSON line per event to ./log/fisco-bcos-double.jsonl: start (argv, cwd, pid), resolve, listen,
// peer (connected), signal, exit.
import { lookup } from "node:dns/promises";
import { appendFileSync, existsSync, mkdirSync, readFileSync } from "node:fs";
import { createServer as createHttpServer } from "node:http";
import { createServer as createHttpsServer } from "node:https";
import { connect, createServer } from "node:net";
import { dirname, join } from "node:path";

const VERSION = "3.16.4";

function printVersion() {
  console.log(`FISCO BCOS Version : ${VERSION}`);
  console.log("Build Time         : 20260301 00:00:00");
  console.log("Build Type         : Linux/g++/Release");
  console.log("Git Branch         : HEAD");
  console.log("Git Commit         : 0000000000000000000000000000000000000000 (test double)");
}

const now = () => new Date().toISOString().replace("T", " ").replace("Z", "");
const say = (text) => console.log(`[${now()}] ${text}`);

function record(event) {
  mkdirSync("log", { recursive: true });
  appendFileSync(join("log", "fisco-bcos-double.jsonl"), `${JSON.stringify({ time: Date.now(), ...event })}\n`);
}

function parseIni(text) {
  const sections = new Map();
  let current;
  for (const raw of text.split("\n")) {
    const line = raw.trim();
    if (!line || line.startsWith(";")) continue;
    const header = /^\[(.+)\]$/.exec(line);
    if (header) sections.set(header[1], (current = new Map()));
    else if (current && line.includes("=")) current.set(line.slice(0, line.indexOf("=")).trim(), line.slice(line.indexOf("=") + 1).trim());
  }
  return sections;
}

function parseArgv(argv) {
  const args = { config: "./config.ini", genesis: "./config.genesis" };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === "-v" || a === "--version") args.version = true;
    else if (a === "-h" || a === "--help") args.help = true;
    else if (a === "-c" || a === "--config") args.config = argv[++i];
    else if (a === "-g" || a === "--genesis") args.genesis = argv[++i];
    else args.invalid = a;
  }
  return args;
}

const args = parseArgv(process.argv.slice(2));
if (args.version) {
  printVersion();
  process.exit(0);
}
if (args.help || args.invalid) {
  if (args.invalid) console.log("invalid parameters");
  console.log(
    "Usage of FISCO-BCOS:\n  -h [ --help ]  print help information\n  -v [ --version ]  version of FISCO-BCOS\n  -c [ --config ] arg (=./config.ini)\n  -g [ --genesis ] arg (=./config.genesis)",
  );
  process.exit(0);
}
if (!existsSync(args.config)) {
  process.stdout.write(`config '${args.config}' not found!`);
  process.exit(0);
}
if (!existsSync(args.genesis)) {
  process.stdout.write(`genesis config '${args.genesis}' not found!`);
  process.exit(0);
}

const ini = parseIni(readFileSync(args.config, "utf8"));
const genesis = parseIni(readFileSync(args.genesis, "utf8"));
const get = (section, key, fallback) => ini.get(section)?.get(key) ?? fallback;
const certDir = get("cert", "ca_path", "./conf");
// The real node derives its id from the key at [security] private_key_path; the tree has it beside, in node.nodeid.
const nodeId = readFileSync(join(dirname(get("security", "private_key_path", "conf/node.pem")), "node.nodeid"), "utf8").trim();
const groupId = genesis.get("chain")?.get("group_id") ?? "group0";
const chainId = genesis.get("chain")?.get("chain_id") ?? "chain0";
const nodesFile = join(get("p2p", "nodes_path", "./"), get("p2p", "nodes_file", "nodes.json"));

record({ event: "start", argv: process.argv.slice(1), cwd: process.cwd(), pid: process.pid, nodeId });

/** host:port → {address, port}; throws when a name does not resolve (the real node exits 255 at start). */
async function resolvePeers() {
  const entries = JSON.parse(readFileSync(nodesFile, "utf8")).nodes;
  const peers = [];
  for (const entry of entries) {
    const m = /^\[?([^\]]+?)\]?:(\d+)$/.exec(entry);
    const { address } = await lookup(m[1], { family: 4 });
    peers.push({ entry, host: m[1], address, port: Number(m[2]) });
  }
  record({ event: "resolve", peers: peers.map(({ entry, address }) => ({ entry, address })) });
  return peers;
}

/** Connected peers: entry → remote node id. */
const connected = new Map();
let wanted = [];
const dialing = new Set();

function dial(peer) {
  if (connected.has(peer.entry) || dialing.has(peer.entry)) return;
  dialing.add(peer.entry);
  const socket = connect({ host: peer.address, port: peer.port });
  let buffer = "";
  socket.setTimeout(3000, () => socket.destroy());
  socket.on("connect", () => socket.write(`${JSON.stringify({ nodeId })}\n`));
  socket.on("data", (chunk) => {
    buffer += chunk;
    if (!buffer.includes("\n") || connected.has(peer.entry)) return;
    const remote = JSON.parse(buffer.slice(0, buffer.indexOf("\n"))).nodeId;
    socket.setTimeout(0);
    connected.set(peer.entry, remote);
    record({ event: "peer", entry: peer.entry, address: peer.address, port: peer.port, nodeId: remote });
  });
  socket.on("error", () => {});
  socket.on("close", () => {
    dialing.delete(peer.entry);
    connected.delete(peer.entry);
  });
}

function listen(server, name, host, port) {
  return new Promise((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, host, () => {
      record({ event: "listen", name, host, port });
      resolve();
    });
  });
}

function p2pServer() {
  return createServer((socket) => {
    socket.on("error", () => {});
    socket.once("data", () => socket.write(`${JSON.stringify({ nodeId })}\n`));
  });
}

function rpcAnswer(request) {
  const { id, method } = request;
  const peers = [...new Set(connected.values())].filter((p) => p !== nodeId);
  const results = {
    getBlockNumber: 0,
    getSyncStatus: `${JSON.stringify({ isSyncing: false, genesisHash: "0".repeat(64), nodeID: nodeId, blockNumber: 0, archivedBlockNumber: 0, latestHash: "0".repeat(64), knownHighestNumber: 0, knownLatestHash: "0".repeat(64), peers: peers.map((p) => ({ nodeID: p, genesisHash: "0".repeat(64), blockNumber: 0, latestHash: "0".repeat(64), archivedBlockNumber: 0 })) })}\n`,
    getGroupInfo: {
      chainID: chainId,
      groupID: groupId,
      genesisConfig: "{}",
      iniConfig: "{}",
      nodeList: [{ name: "", nodeID: nodeId, type: 0, microService: false }],
    },
  };
  if (!(method in results)) return { jsonrpc: "2.0", id, error: { code: -32601, message: "The method does not exist/is not available." } };
  return { jsonrpc: "2.0", id, result: results[method] };
}

function jsonHandler(answer) {
  return (req, res) => {
    let body = "";
    req.on("data", (c) => (body += c));
    req.on("end", () => {
      let reply;
      try {
        reply = answer(JSON.parse(body));
      } catch {
        reply = { jsonrpc: "2.0", id: null, error: { code: -32700, message: "Parse error" } };
      }
      res.writeHead(200, { "content-type": "application/json" });
      res.end(JSON.stringify(reply));
    });
  };
}

function rpcServer() {
  const handler = jsonHandler(rpcAnswer);
  if (get("rpc", "enable_ssl", "true") === "false") return createHttpServer(handler);
  const file = (name) => readFileSync(join(certDir, name));
  return createHttpsServer(
    {
      ca: file(get("cert", "ca_cert", "ca.crt")),
      cert: file(get("cert", "node_cert", "ssl.crt")),
      key: file(get("cert", "node_key", "ssl.key")),
      requestCert: true,
      rejectUnauthorized: true,
      minVersion: "TLSv1.2",
      maxVersion: "TLSv1.2",
    },
    handler,
  );
}

const web3Answer = (r) =>
  r.method === "eth_blockNumber"
    ? { jsonrpc: "2.0", id: r.id, result: "0x0" }
    : { jsonrpc: "2.0", id: r.id, error: { code: -32601, message: "method not found" } };

const servers = [];
async function main() {
  try {
    wanted = await resolvePeers();
  } catch (error) {
    printVersion();
    say(`start fisco-bcos failed, error:${error.message}`);
    record({ event: "exit", code: 255, reason: error.message });
    process.exit(255);
  }
  const p2p = p2pServer();
  const rpc = rpcServer();
  servers.push(p2p, rpc);
  await listen(p2p, "p2p", get("p2p", "listen_ip", "0.0.0.0"), Number(get("p2p", "listen_port", "30300")));
  await listen(rpc, "rpc", get("rpc", "listen_ip", "0.0.0.0"), Number(get("rpc", "listen_port", "20200")));
  if (get("web3_rpc", "enable", "false") === "true") {
    const web3 = createHttpServer(jsonHandler(web3Answer));
    servers.push(web3);
    await listen(web3, "web3", get("web3_rpc", "listen_ip", "127.0.0.1"), Number(get("web3_rpc", "listen_port", "8545")));
  }
  printVersion();
  say("The fisco-bcos is running...");
  setInterval(() => wanted.forEach(dial), 1000);
  wanted.forEach(dial);
}

process.on("SIGUSR1", () => {
  record({ event: "signal", signal: "SIGUSR1" });
  resolvePeers().then(
    (peers) => {
      wanted = peers;
      wanted.forEach(dial);
    },
    (error) => record({ event: "reload-failed", reason: error.message }),
  );
});
for (const signal of ["SIGTERM", "SIGINT"]) {
  process.on(signal, () => {
    record({ event: "signal", signal });
    say("fisco-bcos program exit normally.");
    record({ event: "exit", code: 0 });
    process.exit(0);
  });
}

main().catch((error) => {
  say(`start fisco-bcos failed, error:${error.message}`);
  record({ event: "exit", code: 255, reason: error.message });
  process.exit(255);
});
