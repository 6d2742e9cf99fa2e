import { checkBlockHash, checkReplicated, skipped, type HashReading, type ValueReading } from "./checks";
import { sleep } from "./deadline";
import type { NodeApi } from "../fisco/native-api";
import type { Context } from "./options";
import { decodeGet, encodeGet } from "./probe/probe";
import type { CheckResult } from "./report";
import { readHeights, type HeightReading } from "./snapshot";

/** After the probe: every node's height, the block hash at the common height, and the probe's value on every node. */

/** Wait until every answering node has block `target` (or the time for it is up); the last readings. */
export async function awaitHeights(ctx: Context, apis: readonly NodeApi[], target: number): Promise<HeightReading[]> {
  for (;;) {
    const readings = await readHeights(apis, ctx.deadline.budget(ctx.requestMs, ctx.reserveMs / 2));
    const behind = readings.filter((r) => !("height" in r) || r.height < target);
    if (behind.length === 0 || ctx.deadline.remaining() <= ctx.reserveMs) return readings;
    ctx.progress(`waiting for block ${target} on ${behind.map((r) => r.name).join(", ")}`);
    await sleep(Math.min(ctx.pollMs, 200));
  }
}

export async function compareBlockHashes(ctx: Context, apis: readonly NodeApi[], readings: readonly HeightReading[]): Promise<CheckResult> {
  const heights = readings.filter((r): r is { name: string; height: number } => "height" in r).map((r) => r.height);
  if (heights.length === 0) return skipped("block-hash", "not checked: no node reported its height");
  const height = Math.min(...heights);
  const hashes = await Promise.all(
    apis.map(async (api): Promise<HashReading> => {
      try {
        return { name: api.name, hash: await api.blockHash(height, ctx.deadline.budget(ctx.requestMs)) };
      } catch (error) {
        return { name: api.name, error: (error as Error).message };
      }
    }),
  );
  return checkBlockHash(height, hashes);
}

export async function readProbeEverywhere(
  ctx: Context,
  apis: readonly NodeApi[],
  heights: readonly HeightReading[],
  contract: string,
  value: bigint,
  block: number,
): Promise<CheckResult> {
  const readings = await Promise.all(
    apis.map(async (api): Promise<ValueReading> => {
      const h = heights.find((r) => r.name === api.name);
      if (h && "height" in h && h.height < block) return { name: api.name, error: `does not have block ${block} yet (at ${h.height})` };
      try {
        const out = await api.callContract(contract, encodeGet(), ctx.deadline.budget(ctx.requestMs));
        if (out.status !== 0) return { name: api.name, error: `get() answered status ${out.status}` };
        return { name: api.name, value: decodeGet(out.output) };
      } catch (error) {
        return { name: api.name, error: (error as Error).message };
      }
    }),
  );
  return checkReplicated(value, block, readings);
}
