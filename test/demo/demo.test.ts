/**
 * Guards the README's main command: runs the demo's scenario core (`runDemo`, what `npm run demo`
 * runs) in quick mode on a fresh in-process chain and asserts that every invariant check of the
 * report passes and that the week's events really happened: trades in every market, funding,
 * the reopen gap at the Monday open, liquidations with a keeper reward, bad
 * debt covered by the insurance fund, the split and the dividend applied once.
 */
import { expect } from "chai";
import { network } from "hardhat";
import { formatReport, renderDemoChart } from "../../scripts/demo/report.js";
import { runDemo, type DemoResult } from "../../scripts/demo/simulation.js";
import { CHAIN_START_DATE, DIVIDEND, GAP, NEWS, SPLIT } from "../../scripts/demo/timeline.js";

describe("npm run demo (quick scenario)", function () {
  let result: DemoResult;

  before(async function () {
    const connection = await network.create({ override: { initialDate: CHAIN_START_DATE } });
    result = await runDemo(connection, { quick: true, seed: 20261207 });
  });

  it("passes every invariant check of the report, computed from chain state", function () {
    const failed = result.checks.filter((c) => !c.pass).map((c) => `${c.id}: ${c.detail}`);
    expect(failed).to.deep.equal([]);
    expect(result.checks.map((c) => c.id)).to.include.members([
      "INV-1",
      "INV-2",
      "INV-3",
      "INV-4",
      "INV-7",
      "INV-8a",
      "INV-8b",
      "INV-10",
    ]);
  });

  it("settles trades in every market through the matcher", function () {
    for (const market of result.ledger.markets.values()) {
      expect(market.trades, market.symbol).to.be.greaterThan(0);
      expect(market.volumeX18, market.symbol).to.be.greaterThan(0n);
    }
    expect(result.ordersAccepted).to.be.greaterThan(result.ledger.trades);
  });

  it("accrues funding: the keeper funded and the weekend's AAPL buyers paid the shorts", function () {
    expect(result.ledger.events.fundingUpdates).to.be.greaterThan(10);
    const aapl = [...result.ledger.markets.values()].find((m) => m.symbol === NEWS.symbol)!;
    expect(aapl.fundingX18 - aapl.dividendsX18).to.be.greaterThan(0n);
  });

  it("reopens TSLA with a gap beyond the band and liquidates the levered longs into the backstop", function () {
    expect(result.ledger.events.reopenGaps.map((g) => g.symbol)).to.deep.equal([GAP.symbol]);
    const s = result.liquidations.stats;
    expect(s.count).to.be.greaterThan(0);
    expect(s.records.every((r) => r.symbol === GAP.symbol)).to.equal(true);
    expect(s.keeperRewardsX18).to.be.greaterThan(0n);
    // The gap makes several longs liquidatable at once: the keeper sends them in liquidateBatch.
    expect(s.batches).to.be.greaterThan(0);
    expect(s.transactions).to.be.lessThan(s.count);
    expect(s.gasUsed).to.be.greaterThan(0n);
    expect(s.badDebtX18).to.be.greaterThan(0n);
    expect(s.insuranceCoveredX18).to.equal(s.badDebtX18);
    // The fund pays whole token units (6 decimals): each cover rounds up to the next unit.
    expect(s.insurancePaidX18).to.be.at.least(s.insuranceCoveredX18);
    expect(result.insuranceAfterX18).to.equal(result.insuranceBeforeX18 - s.insurancePaidX18);
  });

  it("applies the NVDA split and the SPY dividend, scheduled through the timelock, exactly once", function () {
    expect(result.corporateActions.executed).to.equal(true);
    expect(result.ledger.events.splitsApplied).to.deep.equal([{ symbol: SPLIT.symbol, epoch: 1n }]);
    expect(result.ledger.events.clearinghouseDividends.map((d) => d.symbol)).to.deep.equal([DIVIDEND.symbol]);
    expect(result.splitSnapshot?.before.length).to.be.greaterThan(0);
  });

  it("prints the report and renders the chart", function () {
    const report = formatReport(result, 1).join("\n");
    expect(report).to.include("Invariant checks (from chain state)");
    expect(report).not.to.include("FAIL");
    const svg = renderDemoChart(result);
    expect(svg.startsWith("<svg")).to.equal(true);
    for (const symbol of [NEWS.symbol, GAP.symbol, SPLIT.symbol, DIVIDEND.symbol])
      expect(svg).to.include(symbol);
  });
});
