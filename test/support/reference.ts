import { readFileSync } from "node:fs";
import { join } from "node:path";

/** What the official build_chain.sh v3.16.4 wrote for 4 nodes (shared/reference/build-chain-4-nodes). */
export const REFERENCE_DIR = process.env.FISCO_REFERENCE_DIR ?? join(__dirname, "..", "..", "..", "shared", "reference", "build-chain-4-nodes");

export const referenceFile = (path: string) => readFileSync(join(REFERENCE_DIR, path), "utf8");
