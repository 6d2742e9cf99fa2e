import type { EngineRun } from "./pulumi";
import type { RunResult } from "./proc";

export type Outcome = "PASS" | "FAIL" | "SKIP";

export interface ScenarioRecord {
  readonly group: string;
  readonly name: string;
  outcome: Outcome;
  seconds: number;
  readonly failures: string[];
  /** Known limits of this environment that the scenario met (kwok runs no container, the stand-in providers, …). */
  readonly limits: string[];
}

/** Stops the scenario at once: what it needs did not happen. */
export class ScenarioAbort extends Error {}

/** Prints progress with the time since the run started, and keeps every scenario's record for the table. */
export class Reporter {
  readonly records: ScenarioRecord[] = [];
  private readonly t0 = Date.now();

  constructor(private readonly out: (line: string) => void) {}

  line(text: string): void {
    const e = Math.floor((Date.now() - this.t0) / 1000);
    this.out(`[${String(Math.floor(e / 60)).padStart(2, "0")}:${String(e % 60).padStart(2, "0")}] ${text}`);
  }

  get elapsedSeconds(): number {
    return (Date.now() - this.t0) / 1000;
  }
}

const changesText = (changes: Readonly<Record<string, number>>) =>
  Object.entries(changes)
    .map(([op, n]) => `${op} ${n}`)
    .join(", ") || "no changes";

/** The checks and notes of one scenario. */
export class Scenario {
  constructor(
    private readonly reporter: Reporter,
    readonly record: ScenarioRecord,
  ) {}

  /** A soft check: a failure is recorded and the scenario goes on. */
  check(ok: boolean, message: string, detail?: string): boolean {
    this.reporter.line(`  ${ok ? "✓" : "✗"} ${message}${!ok && detail ? `\n      ${detail.split("\n").join("\n      ")}` : ""}`);
    if (!ok) this.record.failures.push(message);
    return ok;
  }

  /** A hard check: a failure ends the scenario (and the group's later scenarios that build on it). */
  require(ok: boolean, message: string, detail?: string): void {
    if (!this.check(ok, message, detail)) throw new ScenarioAbort(message);
  }

  note(text: string): void {
    this.reporter.line(`  · ${text.split("\n").join("\n      ")}`);
  }

  /** Something this environment cannot show, stated where it matters. */
  limit(text: string): void {
    this.reporter.line(`  ! ${text}`);
    this.record.limits.push(text);
  }

  /** Log a finished engine command in one line: what ran, its exit status, time and the engine's change summary. */
  engine(label: string, result: EngineRun): EngineRun {
    // Say when an update ran without its preview (the harness's default: most scenarios preview on their own).
    const shown =
      / --skip-preview( |$)/.test(result.run.command) && !label.includes("--skip-preview")
        ? label.replace(/^pulumi (up|destroy)\b/, "$& --skip-preview")
        : label;
    this.reporter.line(`  $ ${shown}: exit ${result.run.code} in ${result.run.seconds.toFixed(1)} s (${changesText(result.changes)})`);
    return result;
  }

  command(label: string, result: RunResult): RunResult {
    this.reporter.line(`  $ ${label}: exit ${result.code} in ${result.seconds.toFixed(1)} s`);
    return result;
  }
}

/** Scenarios that run in order on one cluster; after a hard failure the later ones are skipped. */
export class Group {
  private blockedBy?: string;

  constructor(
    readonly name: string,
    private readonly reporter: Reporter,
  ) {}

  /** Skip what is left (the cluster did not come up, …). */
  block(reason: string): void {
    this.blockedBy ??= reason;
  }

  async scenario(name: string, body: (s: Scenario) => Promise<void>, options: { independent?: boolean } = {}): Promise<ScenarioRecord> {
    const record: ScenarioRecord = { group: this.name, name, outcome: "PASS", seconds: 0, failures: [], limits: [] };
    this.reporter.records.push(record);
    if (this.blockedBy && !options.independent) {
      record.outcome = "SKIP";
      record.failures.push(this.blockedBy);
      this.reporter.line(`${this.name} ■ SKIP ${name} (${this.blockedBy})`);
      return record;
    }
    this.reporter.line(`${this.name} ▶ ${name}`);
    const started = Date.now();
    try {
      await body(new Scenario(this.reporter, record));
    } catch (error) {
      if (!(error instanceof ScenarioAbort)) {
        record.failures.push(`harness error: ${(error as Error).stack ?? error}`);
        this.reporter.line(`  ✗ harness error: ${(error as Error).stack ?? error}`);
      }
      this.blockedBy ??= `after "${name}" failed`;
    }
    record.seconds = (Date.now() - started) / 1000;
    if (record.failures.length > 0) record.outcome = "FAIL";
    this.reporter.line(`${this.name} ■ ${record.outcome} ${name} (${record.seconds.toFixed(1)} s)`);
    return record;
  }
}

/** The table printed at the end: scenario → result → duration. */
export function resultTable(records: readonly ScenarioRecord[]): string {
  const rows = records.map((r) => [r.group, r.name, r.outcome + (r.limits.length > 0 ? " (limit noted)" : ""), `${r.seconds.toFixed(1)} s`]);
  const header = ["group", "scenario", "result", "time"];
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  const line = (cells: string[]) => `| ${cells.map((c, i) => (i === 3 ? c.padStart(widths[i]) : c.padEnd(widths[i]))).join(" | ")} |`;
  return [line(header), `|${widths.map((w, i) => (i === 3 ? `${"-".repeat(w + 1)}:` : "-".repeat(w + 2))).join("|")}|`, ...rows.map(line)].join("\n");
}
