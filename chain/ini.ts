/** FISCO's ini files as boost property_tree reads them: `;` comments, trimmed keys and values. */
export type Ini = Map<string, Map<string, string>>;

export function parseIni(text: string): Ini {
  const sections: Ini = new Map();
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
