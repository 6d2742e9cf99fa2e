import { parentPort } from "node:worker_threads";
import { signJob, type SignJob } from "./signer";

/** Worker thread: signs each job it is given and posts back the transactions and its busy time (seconds). */
parentPort?.on("message", (job: SignJob) => {
  const started = process.hrtime.bigint();
  const signed = signJob(job);
  parentPort!.postMessage({ signed, seconds: Number(process.hrtime.bigint() - started) / 1e9 });
});
