import { createHash } from "node:crypto";

export const sha256Hex = (text: string) => createHash("sha256").update(text).digest("hex");

/** A stable digest of a set of named files (key order does not matter). */
export function filesDigest(files: Readonly<Record<string, string>>): string {
  return sha256Hex(
    JSON.stringify(
      Object.keys(files)
        .sort()
        .map((name) => [name, files[name]]),
    ),
  );
}
