import { join } from "node:path";
import { start } from "./proc";

/** One watch event as this machine saw it: when, what happened, and the object after it. */
export interface WatchEvent {
  /** ms since the epoch, when the event arrived here. */
  readonly t: number;
  readonly type: string;
  readonly object: any;
}

/** Split a stream of concatenated JSON documents (what `kubectl get -w -o json` prints) into objects. */
export class JsonStreamSplitter {
  private buffer = "";
  private depth = 0;
  private inString = false;
  private escaped = false;
  private startAt = -1;

  push(chunk: string): any[] {
    const out: any[] = [];
    const base = this.buffer.length;
    this.buffer += chunk;
    for (let i = base; i < this.buffer.length; i++) {
      const c = this.buffer[i];
      if (this.inString) {
        if (this.escaped) this.escaped = false;
        else if (c === "\\") this.escaped = true;
        else if (c === '"') this.inString = false;
        continue;
      }
      if (c === '"') this.inString = true;
      else if (c === "{") {
        if (this.depth === 0) this.startAt = i;
        this.depth++;
      } else if (c === "}") {
        this.depth--;
        if (this.depth === 0 && this.startAt >= 0) {
          out.push(JSON.parse(this.buffer.slice(this.startAt, i + 1)));
          this.startAt = -1;
        }
      }
    }
    if (this.depth === 0) {
      this.buffer = "";
      this.startAt = -1;
    } else if (this.startAt > 0) {
      this.buffer = this.buffer.slice(this.startAt);
      this.startAt = 0;
    }
    return out;
  }
}

/** Records `kubectl get <resource> -n <ns> --watch --output-watch-events` until stopped. */
export function watch(bin: string, kubeconfig: string, resource: string, namespace: string, log: string): { events: WatchEvent[]; stop: () => Promise<void> } {
  const events: WatchEvent[] = [];
  const splitter = new JsonStreamSplitter();
  const handle = start(join(bin, "kubectl"), ["get", resource, "-n", namespace, "--watch", "--output-watch-events", "-o", "json"], {
    env: { ...process.env, KUBECONFIG: kubeconfig },
    log,
    onStdout: (chunk) => {
      const t = Date.now();
      for (const e of splitter.push(chunk)) events.push({ t, type: e.type, object: e.object });
    },
  });
  return { events, stop: handle.stop };
}
