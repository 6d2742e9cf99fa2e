import { existsSync, readFileSync } from "node:fs";
import { dirname, join } from "node:path";

const PACKAGE_NAME = "fisco-bcos-provisioner";

/**
 * The repository's root: the nearest directory at or above `from` whose package.json is this project's. The same
 * answer from the TypeScript sources (any folder depth) and from the compiled command line in dist/cli/.
 * @throws when no such directory exists (a file copied out of the project).
 */
export function projectRoot(from: string = __dirname): string {
  for (let dir = from; ; dir = dirname(dir)) {
    const manifest = join(dir, "package.json");
    if (existsSync(manifest) && (JSON.parse(readFileSync(manifest, "utf8")) as { name?: string }).name === PACKAGE_NAME) return dir;
    if (dirname(dir) === dir) throw new Error(`${from} is not inside the ${PACKAGE_NAME} project (no package.json named ${PACKAGE_NAME} above it)`);
  }
}

/** projectRoot() of this module, computed once. */
export const PROJECT_ROOT = projectRoot();
