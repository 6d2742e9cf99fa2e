import { parentPort } from "node:worker_threads";
import { signJob, type SignJob, type TransferTemplate } from "./signer";

/** Worker thread: signs the jobs it is given and posts the raw transactions back. */
parentPort?.on("message", (message: { jobs: SignJob[]; template: TransferTemplate }) => {
  const started = process.hrtime.bigint();
  const signed = message.jobs.map((job) => signJob(job, message.template));
  parentPort!.postMessage({ signed, seconds: Number(process.hrtime.bigint() - started) / 1e9 });
});
