import type { Ini } from "../../chain/ini";

export { parseIni } from "../../chain/ini";

export const keysOf = (ini: Ini) => Object.fromEntries([...ini].map(([section, entries]) => [section, [...entries.keys()].sort()]));
