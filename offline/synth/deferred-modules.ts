/**
 * Parts of @pulumi/pulumi that its index loads eagerly but an offline render never uses: the Automation API, and the
 * TypeScript compiler and npm's arborist behind closure serialization. Together they are most of the SDK's load time.
 * Each is replaced in the module cache by a proxy that loads the real module on first use, so behaviour is unchanged
 * if anything does touch them.
 */
const DEFERRED = ["@pulumi/pulumi/automation/index.js", "@pulumi/pulumi/typescript-shim.js", "@npmcli/arborist"];

export function deferUnusedPulumiModules(): void {
  for (const id of DEFERRED) {
    const file = require.resolve(id);
    if (require.cache[file]) continue;
    let real: Record<PropertyKey, unknown> | undefined;
    const load = () => {
      if (!real) {
        delete require.cache[file];
        real = require(file) as Record<PropertyKey, unknown>;
      }
      return real;
    };
    const exports = new Proxy(
      {},
      {
        // __importStar returns an ES module as it is, without touching its keys.
        get: (_, key) => (key === "__esModule" ? true : load()[key]),
        has: (_, key) => key in load(),
        ownKeys: () => Reflect.ownKeys(load()),
        getOwnPropertyDescriptor: (_, key) => Reflect.getOwnPropertyDescriptor(load(), key),
      },
    );
    require.cache[file] = { id: file, filename: file, loaded: true, exports, children: [], paths: [] } as unknown as NodeJS.Module;
  }
}
