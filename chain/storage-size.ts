/**
 * The one rule for a node's volume size, shared by the stack schema (chain/spec.ts) and the chart
 * (values.schema.json `storage.size` pattern and `fisco-bcos.checkStorage` in templates/_storage.tpl; a test keeps them equal).
 *
 * Whole Mi, Gi or Ti only: the chart compares sizes (a volume may only grow) and Helm templates have no
 * general quantity arithmetic. At least 2Gi: FISCO refuses to open its RocksDB with less than 1 GiB available
 * (v3.16.4 libinitializer/StorageInitializer.h), and a filesystem, the WAL and the first blocks take their share.
 */
export const STORAGE_SIZE_PATTERN = "^[1-9][0-9]*(Mi|Gi|Ti)$";
export const MIN_STORAGE_MI = 2048;

const FACTOR_MI: Readonly<Record<string, number>> = { Mi: 1, Gi: 1024, Ti: 1024 * 1024 };

/** A size such as "20Gi" in MiB, or undefined when it does not match STORAGE_SIZE_PATTERN. */
export function storageSizeMi(size: string): number | undefined {
  if (!new RegExp(STORAGE_SIZE_PATTERN).test(size)) return undefined;
  return Number(size.slice(0, -2)) * FACTOR_MI[size.slice(-2)];
}
