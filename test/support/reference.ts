import { readFileSync } from "node:fs";
import { join } from "node:path";

/** What the official build_chain.sh v3.16.4 wrote for 4 nodes: test data kept in the repository (test/fixtures/reference). */
export const REFERENCE_DIR = join(__dirname, "..", "fixtures", "reference", "build-chain-4-nodes");

export const referenceFile = (path: string) => readFileSync(join(REFERENCE_DIR, path), "utf8");
