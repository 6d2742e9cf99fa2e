/** FISCO BCOS release versions as written in image tags ("v3.16.4") and in genesis ("3.16.0"). */
export type Version = readonly [number, number, number];

const VERSION_PATTERN = /^v?(\d+)\.(\d+)\.(\d+)$/;

export function parseVersion(text: string): Version | undefined {
  const match = VERSION_PATTERN.exec(text);
  return match ? [Number(match[1]), Number(match[2]), Number(match[3])] : undefined;
}

export function compareVersions(a: Version, b: Version): number {
  for (let i = 0; i < 3; i++) {
    if (a[i] !== b[i]) return a[i] - b[i];
  }
  return 0;
}

export function atLeast(version: string, minimum: string): boolean {
  const a = parseVersion(version);
  const b = parseVersion(minimum);
  if (!a || !b) throw new Error(`not a version: ${!a ? version : minimum}`);
  return compareVersions(a, b) >= 0;
}

/** build_chain writes the minor release line as compatibility_version: v3.16.4 → 3.16.0. */
export function defaultCompatibilityVersion(imageVersion: string): string {
  const v = parseVersion(imageVersion);
  if (!v) throw new Error(`not a version: ${imageVersion}`);
  return `${v[0]}.${v[1]}.0`;
}

/** Feature floors from fisco-bcos-facts.md. */
export const MIN_VERSION_DNS_PEERS = "v3.6.0";
export const MIN_VERSION_WEB3 = "v3.9.0";
/** The oldest genesis compatibility_version the renderers support: from 3.1.0 FISCO reads [chain] from config.genesis. */
export const MIN_COMPATIBILITY_VERSION = "3.1.0";
