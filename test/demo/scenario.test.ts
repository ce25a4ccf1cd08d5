/**
 * The demo's pure parts, without a chain: the step schedule (every scripted event is a step of its
 * own), the scripted stock prices (each event applied once, no move while closed), the traders'
 * orders (on the tick and step grid, inside the band, post-only quotes, the levered longs once) and
 * the chart renderer.
 */
import { expect } from "chai";
import { Session, loadCalendarFile } from "../../sdk/calendar.js";
import { FLAG_POST_ONLY } from "../../sdk/orders.js";
import { renderChart, renderPanels, type ChartPoint } from "../../scripts/demo/chart.js";
import { ScriptedMarket } from "../../scripts/demo/prices.js";
import { nextStep } from "../../scripts/demo/simulation.js";
import {
  DIVIDEND,
  END_TIME,
  FULL_START,
  GAP,
  LEVERED_OPEN,
  NEWS,
  QUICK_START,
  SPLIT,
} from "../../scripts/demo/timeline.js";
import { TradingDesk, createTraders, type MarketView } from "../../scripts/demo/traders.js";
import { Wallet, keccak256, toUtf8Bytes } from "ethers";

const calendar = await loadCalendarFile();

/** `|actual − expected| ≤ tolerance` for plain numbers (Hardhat's chai matchers make `closeTo` bigint-only). */
function expectNear(actual: number, expected: number, tolerance: number): void {
  expect(Math.abs(actual - expected) <= tolerance, `${actual} vs ${expected} ± ${tolerance}`).to.equal(true);
}
const X18 = 10n ** 18n;

function schedule(quick: boolean): number[] {
  const out: number[] = [];
  for (let t = quick ? QUICK_START : FULL_START; t <= END_TIME; t = nextStep(t, calendar, quick)) out.push(t);
  return out;
}

function view(symbol: string, session: Session, price: number): MarketView {
  return {
    symbol,
    marketId: "0x" + Buffer.from(`${symbol}-USD`).toString("hex").padEnd(64, "0"),
    tradable: true,
    internal: session === Session.CLOSED,
    session,
    indexUsd: price,
    markUsd: price,
    bandLowUsd: price * 0.95,
    bandHighUsd: price * 1.05,
    epoch: 0n,
  };
}

describe("demo scenario: step schedule", function () {
  for (const quick of [false, true]) {
    it(`${quick ? "quick" : "full"} run: steps increase, never cross a session boundary, and hit every event time`, function () {
      const steps = schedule(quick);
      for (const [i, t] of steps.entries()) {
        const next = steps[i + 1];
        if (next === undefined) continue;
        expect(next).to.be.greaterThan(t);
        expect(next).to.be.at.most(calendar.sessionWindow(t).end);
      }
      for (const event of [SPLIT.effectiveTime, DIVIDEND.exTime, GAP.time]) expect(steps).to.include(event);
      expect(steps.some((t) => t >= NEWS.time && calendar.sessionAt(t) === Session.CLOSED)).to.equal(true);
      expect(steps.some((t) => t >= LEVERED_OPEN && calendar.sessionAt(t) === Session.REGULAR)).to.equal(
        true,
      );
    });
  }

  it("the quick run has about a third of the full run's steps", function () {
    expect(schedule(false).length).to.equal(97);
    expect(schedule(true).length).to.equal(31);
  });
});

describe("demo scenario: scripted stock prices", function () {
  const initial = new Map([
    ["AAPL", 230],
    ["TSLA", 350],
    ["NVDA", 180],
    ["SPY", 660],
  ]);

  it("applies the split, the dividend, the news and the gap once each, at their times", function () {
    const market = new ScriptedMarket(initial, FULL_START, calendar, 1);
    const nvda = market.priceUsd("NVDA", SPLIT.effectiveTime - 1);
    const spy = market.priceUsd("SPY", DIVIDEND.exTime - 1);
    expectNear(market.priceUsd("NVDA", SPLIT.effectiveTime), nvda / 4, nvda / 4 / 1_000);
    expectNear(market.priceUsd("SPY", DIVIDEND.exTime), spy - DIVIDEND.amountUsd, spy / 1_000);
    const tsla = market.priceUsd("TSLA", GAP.time - 1);
    const aapl = market.priceUsd("AAPL", GAP.time - 1);
    // The walk adds at most a one-second step (≤ 0.02 %) to the scripted move.
    const gapped = market.priceUsd("TSLA", GAP.time);
    expectNear(gapped / tsla, 1 + GAP.move, 1e-3);
    expectNear(market.priceUsd("AAPL", GAP.time) / aapl, 1 + NEWS.openMove, 1e-3);
    // Read again at the same time: nothing applies twice.
    expect(market.priceUsd("TSLA", GAP.time)).to.equal(gapped);
  });

  it("does not move while the stock market is closed, and repeats for a seed", async function () {
    const a = new ScriptedMarket(initial, FULL_START, calendar, 7);
    const b = new ScriptedMarket(initial, FULL_START, calendar, 7);
    const friday = a.priceUsd("SPY", Date.parse("2026-12-12T01:00:00Z") / 1000);
    expect(a.priceUsd("SPY", Date.parse("2026-12-13T12:00:00Z") / 1000)).to.equal(friday);
    expect(b.priceUsd("SPY", Date.parse("2026-12-12T01:00:00Z") / 1000)).to.equal(friday);
    const prices = await a.prices(["SPY"], Date.parse("2026-12-13T12:00:00Z") / 1000);
    expect(prices.get("SPY")! / 10n ** 12n).to.equal(BigInt(Math.round(friday * 1e6)));
  });
});

describe("demo scenario: traders", function () {
  const wallet = (name: string) => new Wallet(keccak256(toUtf8Bytes(name)));

  it("has 30 accounts in the full run (18 quick) with one market maker per market", function () {
    expect(createTraders(wallet, false)).to.have.length(30);
    const quick = createTraders(wallet, true);
    expect(quick).to.have.length(18);
    expect(quick.filter((t) => t.style === "maker").map((t) => t.markets[0])).to.deep.equal([
      "AAPL",
      "TSLA",
      "NVDA",
      "SPY",
      "QQQ",
    ]);
  });

  it("quotes post-only on the tick and step grid inside the band; levered longs buy once", function () {
    const traders = createTraders(wallet, true);
    const views = new Map(
      ["AAPL", "TSLA", "NVDA", "SPY", "QQQ"].map((s) => [s, view(s, Session.REGULAR, 100)] as const),
    );
    const desk = new TradingDesk(3);
    const intents = desk.decide(traders, views, LEVERED_OPEN, LEVERED_OPEN + 3_599);
    const quotes = intents.filter((i) => i.trader.style === "maker");
    expect(quotes).to.have.length(10);
    for (const { order } of intents) {
      expect(order.limitPriceX18 % (X18 / 100n)).to.equal(0n);
      expect(order.sizeX18 % (X18 / 1_000n)).to.equal(0n);
      expect(order.limitPriceX18).to.be.within(95n * X18, 105n * X18);
    }
    expect(quotes.every((q) => q.order.flags === FLAG_POST_ONLY)).to.equal(true);
    const levered = intents.filter((i) => i.trader.style === "levered");
    expect(levered).to.have.length(4);
    expect(levered.every((i) => i.order.isBuy)).to.equal(true);
    const again = desk.decide(traders, views, LEVERED_OPEN + 3_600, LEVERED_OPEN + 7_199);
    expect(again.filter((i) => i.trader.style === "levered")).to.have.length(0);
  });
});

describe("demo scenario: chart", function () {
  const points: ChartPoint[] = [0, 1, 2].map((i) => ({
    time: FULL_START + i * 3_600,
    index: 100 + i,
    mark: 100 + i,
    bandLow: 95,
    bandHigh: 106,
    closed: i === 1,
  }));

  it("renders one panel per market with its title and markers", function () {
    const svg = renderPanels(
      "week",
      [
        { title: "AAPL", points, markers: [{ time: FULL_START + 3_600, text: "news" }] },
        { title: "TSLA", points },
      ],
      String,
    );
    expect(svg.startsWith("<svg")).to.equal(true);
    expect(svg).to.include(">AAPL</text>").and.include(">TSLA</text>").and.include(">news</text>");
    expect(svg.match(/<polyline/g)).to.have.length(8);
    expect(renderChart("one", points, String)).to.include(">one</text>");
  });

  it("refuses a panel without points", function () {
    expect(() => renderPanels("week", [{ title: "x", points: [] }], String)).to.throw("no points");
  });
});
