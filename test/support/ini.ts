/** A minimal reader for FISCO's ini files (boost property_tree semantics: `;` comments, trimmed keys and values). */
export function parseIni(text: string): Map<string, Map<string, string>> {
  const sections = new Map<string, Map<string, string>>();
  let current: Map<string, string> | undefined;
  for (const raw of text.split("\n")) {
    const line = raw.trim();
    if (!line || line.startsWith(";")) continue;
    const header = /^\[(.+)\]$/.exec(line);
    if (header) {
      current = new Map();
      sections.set(header[1], current);
      continue;
    }
    const eq = line.indexOf("=");
    if (!current || eq < 0) throw new Error(`not an ini line: ${raw}`);
    current.set(line.slice(0, eq).trim(), line.slice(eq + 1).trim());
  }
  return sections;
}

export const keysOf = (ini: Map<string, Map<string, string>>) =>
  Object.fromEntries([...ini].map(([section, entries]) => [section, [...entries.keys()].sort()]));
