import { expect } from "chai";
import { network } from "hardhat";
import { readFile, writeFile } from "node:fs/promises";
import { MarketCalendar as SdkCalendar, loadCalendarFile } from "../../sdk/calendar.js";
import { MarketCalendar__factory, type MarketCalendar } from "../../typechain-types/index.js";

/**
 * Gas of the calendar's views, measured as real transactions (so every storage read is cold, as
 * in the first call of a transaction): execution gas = receipt gas - 21,000 - calldata gas
 * (EIP-2028: 16 per non-zero byte, 4 per zero byte). Compared with the committed snapshot
 * `calendar.gas.json`; run with UPDATE_GAS_SNAPSHOT=1 to rewrite it after an intended change.
 */
const { ethers, networkHelpers } = await network.create();

const SNAPSHOT = new URL("./calendar.gas.json", import.meta.url);
/** SPEC target for a session lookup, including its one cold day-kind read. */
const SESSION_AT_BUDGET = 10_000;

const utc = (iso: string): number => Date.parse(iso) / 1000;

type View = "sessionAt" | "sessionWindow" | "lastRegularClose" | "nextRegularOpen";

/** The measured cases: what is called, at which instant (New York time in the label). */
const CASES: { label: string; view: View; at: string; longClosure?: boolean }[] = [
  { label: "sessionAt: REGULAR (Tue 10:00)", view: "sessionAt", at: "2026-01-06T15:00:00Z" },
  { label: "sessionAt: CLOSED weekend (Sat 12:00)", view: "sessionAt", at: "2026-01-10T17:00:00Z" },
  { label: "sessionAt: CLOSED holiday (Good Friday 12:00)", view: "sessionAt", at: "2026-04-03T16:00:00Z" },
  { label: "sessionAt: OVERNIGHT (Tue 22:00)", view: "sessionAt", at: "2026-01-07T03:00:00Z" },
  { label: "sessionAt: OVERNIGHT (Wed 02:00)", view: "sessionAt", at: "2026-01-07T07:00:00Z" },
  { label: "sessionWindow: REGULAR (Tue 10:00)", view: "sessionWindow", at: "2026-01-06T15:00:00Z" },
  { label: "sessionWindow: OVERNIGHT (Tue 22:00)", view: "sessionWindow", at: "2026-01-07T03:00:00Z" },
  { label: "sessionWindow: CLOSED weekend (Sat 12:00)", view: "sessionWindow", at: "2026-01-10T17:00:00Z" },
  { label: "sessionWindow: CLOSED Good Friday weekend", view: "sessionWindow", at: "2026-04-04T16:00:00Z" },
  { label: "lastRegularClose: same day (Tue 17:00)", view: "lastRegularClose", at: "2026-01-06T22:00:00Z" },
  {
    label: "lastRegularClose: over a weekend (Mon 08:00)",
    view: "lastRegularClose",
    at: "2026-01-12T13:00:00Z",
  },
  {
    label: "lastRegularClose: over Good Friday (Sun 12:00)",
    view: "lastRegularClose",
    at: "2026-04-05T16:00:00Z",
  },
  { label: "nextRegularOpen: same day (Tue 08:00)", view: "nextRegularOpen", at: "2026-01-06T13:00:00Z" },
  {
    label: "nextRegularOpen: over a weekend (Fri 17:00)",
    view: "nextRegularOpen",
    at: "2026-01-09T22:00:00Z",
  },
  {
    label: "nextRegularOpen: over MLK weekend (Fri 17:00)",
    view: "nextRegularOpen",
    at: "2026-01-16T22:00:00Z",
  },
  {
    label: "worst case: sessionWindow, 17-day closure",
    view: "sessionWindow",
    at: "2026-01-05T17:00:00Z",
    longClosure: true,
  },
  {
    label: "worst case: lastRegularClose, 14 days back",
    view: "lastRegularClose",
    at: "2026-01-16T17:00:00Z",
    longClosure: true,
  },
];

async function deploy(calendar: SdkCalendar): Promise<MarketCalendar> {
  const [admin] = await ethers.getSigners();
  if (admin === undefined) throw new Error("no signer");
  const { days, kinds } = calendar.constructorArgs();
  return new MarketCalendar__factory(admin).deploy(admin.address, days, kinds);
}

async function deployCalendarsFixture() {
  const nyse = await deploy(await loadCalendarFile());
  const weekdays = [1, 5, 6, 7, 8, 9, 12, 13, 14, 15, 16, 19];
  const longClosure = await deploy(
    new SdkCalendar({
      holidays: weekdays.map((d) => `2026-01-${String(d).padStart(2, "0")}`),
      earlyCloses: [],
    }),
  );
  return { nyse, longClosure };
}

function calldataGas(data: string): number {
  const bytes = ethers.getBytes(data);
  return bytes.reduce((sum, byte) => sum + (byte === 0 ? 4 : 16), 0);
}

async function executionGas(calendar: MarketCalendar, view: View, timestamp: number): Promise<number> {
  const [sender] = await ethers.getSigners();
  if (sender === undefined) throw new Error("no signer");
  const calls: Record<View, () => string> = {
    sessionAt: () => calendar.interface.encodeFunctionData("sessionAt", [timestamp]),
    sessionWindow: () => calendar.interface.encodeFunctionData("sessionWindow", [timestamp]),
    lastRegularClose: () => calendar.interface.encodeFunctionData("lastRegularClose", [timestamp]),
    nextRegularOpen: () => calendar.interface.encodeFunctionData("nextRegularOpen", [timestamp]),
  };
  const data = calls[view]();
  const transaction = await sender.sendTransaction({ to: await calendar.getAddress(), data });
  const receipt = await transaction.wait();
  if (receipt === null) throw new Error("no receipt");
  return Number(receipt.gasUsed) - 21_000 - calldataGas(data);
}

describe("calendar gas", function () {
  it("measures every view and matches the committed snapshot", async function () {
    const { nyse, longClosure } = await networkHelpers.loadFixture(deployCalendarsFixture);
    const measured: Record<string, number> = {};
    for (const { label, view, at, longClosure: long } of CASES) {
      measured[label] = await executionGas(long === true ? longClosure : nyse, view, utc(at));
    }
    console.log(
      ["      | call | execution gas |", "      |---|---:|"]
        .concat(
          Object.entries(measured).map(
            ([label, gas]) => `      | ${label} | ${gas.toLocaleString("en-US")} |`,
          ),
        )
        .join("\n"),
    );
    for (const [label, gas] of Object.entries(measured)) {
      if (label.startsWith("sessionAt")) expect(gas, label).to.be.lessThan(SESSION_AT_BUDGET);
    }
    if (process.env.UPDATE_GAS_SNAPSHOT === "1") {
      await writeFile(SNAPSHOT, JSON.stringify(measured, null, 2) + "\n");
    }
    expect(measured).to.deep.equal(JSON.parse(await readFile(SNAPSHOT, "utf8")));
  });
});
