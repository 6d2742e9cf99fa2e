/** The verification's overall time budget. All waiting and every request timeout is cut to what is left. */
export class Deadline {
  private readonly end: number;

  constructor(
    readonly totalMs: number,
    private readonly now: () => number = Date.now,
  ) {
    this.end = now() + totalMs;
  }

  remaining(): number {
    return Math.max(0, this.end - this.now());
  }

  expired(): boolean {
    return this.remaining() === 0;
  }

  /** A request timeout: at most `capMs`, never past the deadline, and at least 1 ms so a call can still fail cleanly. */
  budget(capMs: number, reserveMs = 0): number {
    return Math.max(1, Math.min(capMs, this.remaining() - reserveMs));
  }
}

export const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, Math.max(0, ms)));
