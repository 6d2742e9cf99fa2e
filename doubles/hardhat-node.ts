import { spawn, type ChildProcess } from "node:child_process";
import { once } from "node:events";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { createServer, type AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";

/**
 * A REAL local Ethereum JSON-RPC node (hardhat 2's `hardhat node`, EDR inside) that a test starts and stops.
 * Bound to 127.0.0.1 on a free port. The config lives in a temp dir: chain id 20200 (FISCO's default web3 chain
 * id), base fee 0 (FISCO charges no gas at gas price 0), and NO built-in accounts, so nothing is funded and no
 * well-known key is printed; tests fund what they need with hardhat_setBalance. A reverting transaction is mined
 * with status 0 as on a real node (throwOnTransactionFailures: false), not turned into an RPC error.
 */

export interface HardhatNode {
  readonly url: string;
  readonly chainId: number;
  /** One JSON-RPC call (for test set-up, e.g. hardhat_setBalance). */
  rpc<T = unknown>(method: string, params?: unknown[]): Promise<T>;
  stop(): Promise<void>;
}

export interface HardhatNodeOptions {
  readonly chainId?: number;
  readonly startTimeoutMs?: number;
}

async function freePort(): Promise<number> {
  const server = createServer();
  server.listen(0, "127.0.0.1");
  await once(server, "listening");
  const { port } = server.address() as AddressInfo;
  server.close();
  await once(server, "close");
  return port;
}

function hardhatCli(): string {
  return join(dirname(require.resolve("hardhat/package.json")), "internal", "cli", "cli.js");
}

async function waitUntilListening(child: ChildProcess, timeoutMs: number): Promise<void> {
  let output = "";
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`hardhat node did not start within ${timeoutMs} ms:\n${output.slice(-2000)}`)), timeoutMs);
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      if (output.includes("Started HTTP and WebSocket JSON-RPC server at")) {
        clearTimeout(timer);
        resolve();
      }
    };
    child.stdout?.on("data", onData);
    child.stderr?.on("data", onData);
    child.once("exit", (code) => {
      clearTimeout(timer);
      reject(new Error(`hardhat node exited with ${code} before listening:\n${output.slice(-2000)}`));
    });
  });
}

export async function startHardhatNode(options: HardhatNodeOptions = {}): Promise<HardhatNode> {
  const chainId = options.chainId ?? 20200;
  const dir = mkdtempSync(join(tmpdir(), "verify-hardhat-"));
  const config = join(dir, "hardhat.config.js");
  writeFileSync(
    config,
    `module.exports = { networks: { hardhat: { chainId: ${chainId}, initialBaseFeePerGas: 0, accounts: [], throwOnTransactionFailures: false } } };\n`,
  );

  for (let attempt = 1; ; attempt++) {
    const port = await freePort();
    const child = spawn(process.execPath, [hardhatCli(), "--config", config, "node", "--hostname", "127.0.0.1", "--port", String(port)], {
      cwd: join(__dirname, ".."),
      env: { ...process.env, HARDHAT_DISABLE_TELEMETRY_PROMPT: "true", NO_COLOR: "1" },
      stdio: ["ignore", "pipe", "pipe"],
    });
    try {
      await waitUntilListening(child, options.startTimeoutMs ?? 60_000);
    } catch (error) {
      child.kill("SIGKILL");
      if (attempt < 3 && /EADDRINUSE/.test((error as Error).message)) continue;
      rmSync(dir, { recursive: true, force: true });
      throw error;
    }
    // Keep draining its request log so the pipe never fills.
    child.stdout?.resume();
    child.stderr?.resume();
    const url = `http://127.0.0.1:${port}`;
    let nextId = 1;
    return {
      url,
      chainId,
      async rpc<T>(method: string, params: unknown[] = []): Promise<T> {
        const res = await fetch(url, {
          method: "POST",
          headers: { "content-type": "application/json" },
          body: JSON.stringify({ jsonrpc: "2.0", id: nextId++, method, params }),
        });
        const body = (await res.json()) as { result?: T; error?: { message: string } };
        if (body.error) throw new Error(`${method}: ${body.error.message}`);
        return body.result as T;
      },
      async stop() {
        if (child.exitCode === null && child.signalCode === null) {
          const exited = once(child, "exit");
          process.kill(child.pid!, "SIGTERM");
          await exited;
        }
        rmSync(dir, { recursive: true, force: true });
      },
    };
  }
}
