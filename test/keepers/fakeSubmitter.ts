/** A `Submitter` that records requests and answers with a scripted outcome (no node). */
import type { TransactionReceipt } from "ethers";
import {
  SimulationError,
  type Resumed,
  type Submitter,
  type TxRequest,
} from "../../keepers/lib/submitter.js";

export type Outcome = "ok" | "revert" | "simulation";

export class RecordingSubmitter implements Submitter {
  readonly address = "0x000000000000000000000000000000000000bEEF";
  readonly submitted: TxRequest[] = [];
  readonly simulated: TxRequest[] = [];

  /** Decides each request's outcome (default: every request succeeds). */
  constructor(public policy: (req: TxRequest) => Outcome = () => "ok") {}

  async simulate(req: TxRequest): Promise<string> {
    this.simulated.push(req);
    if (this.policy(req) === "simulation") throw new SimulationError("execution reverted", "0x");
    return "0x";
  }

  async submit(req: TxRequest): Promise<TransactionReceipt> {
    await this.simulate(req);
    this.submitted.push(req);
    const status = this.policy(req) === "revert" ? 0 : 1;
    return {
      hash: `0x${this.submitted.length.toString(16).padStart(64, "0")}`,
      status,
      gasUsed: 50_000n,
    } as TransactionReceipt;
  }

  /** Every submission resolves at once, so the funding and oracle keepers never resume one. */
  async resume(): Promise<Resumed> {
    throw new Error("RecordingSubmitter leaves no transaction unfinished to resume");
  }
}

export function logLines(): { lines: string[]; sink: (line: string) => void } {
  const lines: string[] = [];
  return { lines, sink: (line) => lines.push(line) };
}
