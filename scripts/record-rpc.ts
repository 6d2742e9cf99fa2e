import { writeFileSync } from "node:fs";
import { parseArgs } from "node:util";
import { readSdkEndpoints, readTlsFiles } from "../cli/sdk-dir";
import { rawTransport, redactBuildPaths, runScenario, type Recording } from "../doubles/rpc-conformance";

/**
 * Records what a real node answers to the native RPC conversation of doubles/rpc-conformance.ts, verbatim, for
 * test/rpc-conformance.test.ts to hold the FISCO RPC double to. Run it by hand against a running chain, e.g. one of
 * `npm run local:up`:
 *
 *   npm run record:rpc -- --sdk-dir <tree>/sdk --rpc https://10.x.y.2:20200 --source "$(fisco-bcos --version | head -1)" \
 *     --out test/fixtures/real-node/rpc-v3.16.4.json
 *
 * It sends transactions (the verifier's probe contract, and refused ones) from a throwaway key.
 */
const { values } = parseArgs({
  options: { "sdk-dir": { type: "string" }, rpc: { type: "string" }, source: { type: "string" }, out: { type: "string" } },
});
if (!values["sdk-dir"] || !values.rpc || !values.source || !values.out) {
  process.stderr.write("usage: npm run record:rpc -- --sdk-dir <dir> --rpc <url of one node> --source <what runs there> --out <file.json>\n");
  process.exit(2);
}
const sdk = readSdkEndpoints(values["sdk-dir"]);
const tls = readTlsFiles({}, values["sdk-dir"]) as { ca: string; cert: string; key: string };
const transport = rawTransport(values.rpc, tls);
runScenario({ chainId: sdk.chainId, groupId: sdk.groupId, send: transport.send })
  .then((cases) => {
    const recording: Recording = { source: values.source!, recordedAt: new Date().toISOString(), cases };
    // Error reports name the source files of the binary's build: kept relative to FISCO's source tree.
    writeFileSync(values.out!, `${redactBuildPaths(JSON.stringify(recording, null, 2))}\n`);
    process.stdout.write(`${cases.length} answers written to ${values.out}\n`);
  })
  .catch((error: Error) => {
    process.stderr.write(`record-rpc: ${error.message}\n`);
    process.exitCode = 1;
  })
  .finally(() => transport.close());
