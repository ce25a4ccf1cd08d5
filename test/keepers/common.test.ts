import { expect } from "chai";
import { mkdtempSync, writeFileSync } from "node:fs";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { readDeploymentRecord } from "../../deploy/system.js";
import { KeeperLoop, closeServer, failureKind, startMetricsServer } from "../../keepers/common.js";
import { silentLogger } from "../../keepers/lib/logger.js";
import { MetricsRegistry } from "../../keepers/lib/metrics.js";
import { SimulationError, sleep } from "../../keepers/lib/submitter.js";

describe("keepers/common", function () {
  it("runs ticks one after another, survives a failing tick, and stops after the tick in flight", async function () {
    let running = 0;
    let maxRunning = 0;
    let ticks = 0;
    const errors: unknown[] = [];
    const loop = new KeeperLoop(
      async () => {
        running++;
        maxRunning = Math.max(maxRunning, running);
        ticks++;
        await sleep(15);
        running--;
        if (ticks === 2) throw new Error("rpc down");
      },
      1,
      silentLogger,
      (err) => errors.push(err),
    );
    loop.start();
    await sleep(120);
    await loop.stop();
    const stoppedAt = ticks;
    expect(running).to.equal(0);
    expect(maxRunning).to.equal(1);
    expect(ticks).to.be.greaterThan(3);
    expect(errors.map((e) => (e as Error).message)).to.deep.equal(["rpc down"]);
    await sleep(40);
    expect(ticks).to.equal(stoppedAt);
  });

  it("serves /metrics and /health, and 404 elsewhere", async function () {
    const registry = new MetricsRegistry("t_");
    registry.counter("ticks_total", "ticks").inc();
    const server = await startMetricsServer(registry, "127.0.0.1", 0);
    const { port } = server.address() as AddressInfo;
    const metrics = await fetch(`http://127.0.0.1:${port}/metrics`);
    expect(metrics.headers.get("content-type")).to.include("text/plain; version=0.0.4");
    expect(await metrics.text()).to.include("t_ticks_total 1");
    expect(await (await fetch(`http://127.0.0.1:${port}/health`)).json()).to.deep.equal({ status: "ok" });
    expect((await fetch(`http://127.0.0.1:${port}/other`)).status).to.equal(404);
    await closeServer(server);
  });

  it("tells a simulation failure from other failures", function () {
    expect(failureKind(new SimulationError("execution reverted", "0x"))).to.equal("simulation_failed");
    expect(failureKind(new Error("ECONNRESET"))).to.equal("failed");
  });

  it("refuses a file that is not a deployment record", function () {
    const file = join(mkdtempSync(join(tmpdir(), "sundial-record-")), "x.json");
    writeFileSync(file, JSON.stringify({ contracts: {} }));
    expect(() => readDeploymentRecord(file)).to.throw(`${file} is not a Sundial deployment record`);
  });
});
