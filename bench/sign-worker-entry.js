// Worker threads do not inherit tsx's loader: register it, then load the TypeScript worker. (The esbuild bundle of
// the bench CLI replaces this file with the bundled worker.)
require("tsx/cjs");
require("./sign-worker.ts");
