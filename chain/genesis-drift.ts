import { parseIni, type Ini } from "./ini";

/** The sealers a genesis lists: `node.N=<id>[:<weight>]` lines of [consensus], ids lower-cased as FISCO reads them. */
export function genesisSealers(ini: Ini): { id: string; weight: number }[] {
  return [...(ini.get("consensus") ?? [])]
    .filter(([key]) => key.startsWith("node."))
    .map(([, value]) => {
      const [id, weight = "1"] = value.split(":").map((part) => part.trim());
      return { id: id.toLowerCase(), weight: Number(weight) };
    });
}

const sealerLines = (ini: Ini) => new Map(genesisSealers(ini).map(({ id, weight }) => [id, String(weight)] as const));

/**
 * What differs between the genesis a chain was created with and the one the current stack config would write.
 * The recorded genesis always wins (a node started with another genesis forks); each difference becomes a message
 * telling the user what to do on chain instead.
 */
export function genesisDrift(recorded: string, wanted: string, nodeNames: Readonly<Record<string, string>> = {}): string[] {
  if (recorded === wanted) return [];
  const [before, after] = [parseIni(recorded), parseIni(wanted)];
  const name = (id: string) => (nodeNames[id] ? `${nodeNames[id]} (${id.slice(0, 12)}…)` : `${id.slice(0, 12)}…`);
  const messages: string[] = [];
  const [oldSealers, newSealers] = [sealerLines(before), sealerLines(after)];
  for (const [id, weight] of newSealers) {
    if (!oldSealers.has(id))
      messages.push(
        `sealer ${name(id)} is not in the genesis: start it as it is, then add it on chain (ConsensusPrecompiled addObserver, then addSealer with weight ${weight})`,
      );
    else if (oldSealers.get(id) !== weight)
      messages.push(`sealer ${name(id)} has weight ${oldSealers.get(id)} in the genesis, ${weight} in the config: change it on chain with setWeight`);
  }
  for (const id of oldSealers.keys()) {
    if (!newSealers.has(id))
      messages.push(
        `genesis sealer ${name(id)} is no longer a sealer in the config: remove it on chain (ConsensusPrecompiled remove) before removing its node, or the chain loses its vote`,
      );
  }
  for (const [section, entries] of after) {
    for (const [key, value] of entries) {
      if (section === "consensus" && key.startsWith("node.")) continue;
      const old = before.get(section)?.get(key);
      if (old !== value)
        messages.push(
          `[${section}] ${key} is ${old} in the genesis, ${value} in the config: genesis settings never change after creation (some can be changed on chain with setSystemConfigByKey)`,
        );
    }
  }
  return messages;
}
