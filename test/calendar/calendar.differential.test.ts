import { expect } from "chai";
import { network } from "hardhat";
import { readFile } from "node:fs/promises";
import {
  MarketCalendar as SdkCalendar,
  NYSE_CALENDAR_FILE,
  parseCalendarData,
  type CalendarData,
  type SessionWindow,
} from "../../sdk/calendar.js";
import { CalendarLens__factory, MarketCalendar__factory } from "../../typechain-types/index.js";
import {
  REF_REGULAR,
  ReferenceCalendar,
  addDays,
  nyseRules,
  referenceUtcOffset,
  referenceUtc,
} from "./reference-calendar.js";

const { ethers, networkHelpers } = await network.create();

const HOUR = 3_600;
/** Every local time at which a session can change, plus midnight (a date rollover, never a boundary). */
const CANDIDATE_TIMES = [0, 4 * HOUR, 9.5 * HOUR, 13 * HOUR, 16 * HOUR, 17 * HOUR, 20 * HOUR];
const FIRST_DATE = "2026-01-01";
const LAST_DATE = "2030-12-31";
/** The reference's boundary list extends past both ends so that every window and search resolves. */
const MARGIN_DAYS = 20;
const RANDOM_POINTS = 10_000;
const RANDOM_SEED = 0x5d1a1;
/** Timestamps per `eth_call` through the lens (well under the call gas cap). */
const CHUNK = 1_000;

interface Window {
  session: number;
  start: number;
  end: number;
}

/** mulberry32: a small deterministic PRNG, so the random points are the same on every run. */
function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

function datesBetween(first: string, last: string): string[] {
  const dates: string[] = [];
  for (let date = first; date <= last; date = addDays(date, 1)) dates.push(date);
  return dates;
}

/** The instants where New York's UTC offset changes, found with `Intl` by bisection between noons. */
function offsetSwitches(dates: string[]): number[] {
  const offsetAt = referenceUtcOffset;
  const switches: number[] = [];
  for (let i = 1; i < dates.length; i++) {
    let low = referenceUtc(dates[i - 1] ?? "", 12 * HOUR);
    let high = referenceUtc(dates[i] ?? "", 12 * HOUR);
    if (offsetAt(low) === offsetAt(high)) continue;
    while (high - low > 1) {
      const middle = Math.floor((low + high) / 2);
      if (offsetAt(middle) === offsetAt(low)) low = middle;
      else high = middle;
    }
    switches.push(high);
  }
  return switches;
}

/** The calendar data fed to all three implementations: NYSE 2026–2028 as shipped, 2029–2030 by rule. */
async function calendarData(): Promise<CalendarData> {
  const nyse = parseCalendarData(JSON.parse(await readFile(NYSE_CALENDAR_FILE, "utf8")));
  const generated = [2029, 2030].map(nyseRules);
  return {
    holidays: [...nyse.holidays, ...generated.flatMap((year) => year.holidays)],
    earlyCloses: [...nyse.earlyCloses, ...generated.flatMap((year) => year.earlyCloses)],
  };
}

async function deployCalendarFixture() {
  const data = await calendarData();
  const sdk = new SdkCalendar(data);
  const { days, kinds } = sdk.constructorArgs();
  const [admin] = await ethers.getSigners();
  if (admin === undefined) throw new Error("no signer");
  const calendar = await new MarketCalendar__factory(admin).deploy(admin.address, days, kinds);
  const lens = await new CalendarLens__factory(admin).deploy();
  const reference = new ReferenceCalendar(new Set(data.holidays), new Set(data.earlyCloses));
  return { data, sdk, calendar, lens, reference };
}

type Fixture = Awaited<ReturnType<typeof deployCalendarFixture>>;

async function inChunks<T>(timestamps: number[], read: (chunk: number[]) => Promise<T[]>): Promise<T[]> {
  const results: T[] = [];
  for (let i = 0; i < timestamps.length; i += CHUNK)
    results.push(...(await read(timestamps.slice(i, i + CHUNK))));
  return results;
}

async function soliditySessions({ calendar, lens }: Fixture, timestamps: number[]): Promise<number[]> {
  const target = await calendar.getAddress();
  return inChunks(timestamps, async (chunk) => (await lens.sessionsAt(target, chunk)).map(Number));
}

async function solidityWindows({ calendar, lens }: Fixture, timestamps: number[]): Promise<Window[]> {
  const target = await calendar.getAddress();
  return inChunks(timestamps, async (chunk) => {
    const [sessions, starts, ends] = await lens.sessionWindows(target, chunk);
    return sessions.map((session, i) => ({
      session: Number(session),
      start: Number(starts[i]),
      end: Number(ends[i]),
    }));
  });
}

async function solidityCloses({ calendar, lens }: Fixture, timestamps: number[]): Promise<number[]> {
  const target = await calendar.getAddress();
  return inChunks(timestamps, async (chunk) => (await lens.lastRegularCloses(target, chunk)).map(Number));
}

async function solidityOpens({ calendar, lens }: Fixture, timestamps: number[]): Promise<number[]> {
  const target = await calendar.getAddress();
  return inChunks(timestamps, async (chunk) => (await lens.nextRegularOpens(target, chunk)).map(Number));
}

/** Index of the last element <= value in a sorted array (-1 if none). */
function lastAtOrBefore(sorted: number[], value: number): number {
  let low = -1;
  let high = sorted.length;
  while (high - low > 1) {
    const middle = (low + high) >> 1;
    if ((sorted[middle] ?? Infinity) <= value) low = middle;
    else high = middle;
  }
  return low;
}

/** Points compared and mismatches found, over the whole suite (printed at the end). */
const totals = { points: 0, mismatches: 0 };

/** Counts one test's compared points and collects its first mismatches for the failure message. */
class Tally {
  private readonly mismatches: string[] = [];

  compare(what: string, timestamp: number, values: Record<string, unknown>): void {
    totals.points++;
    const distinct = new Set(Object.values(values).map((value) => JSON.stringify(value)));
    if (distinct.size === 1) return;
    totals.mismatches++;
    this.mismatches.push(`${what} at ${timestamp}: ${JSON.stringify(values)}`);
  }

  expectNone(): void {
    expect(this.mismatches.length, this.mismatches.slice(0, 10).join("\n")).to.equal(0);
  }
}

describe("calendar differential: Solidity vs TypeScript SDK vs IANA America/New_York (Intl)", function () {
  const candidateDates = datesBetween(addDays(FIRST_DATE, -MARGIN_DAYS), addDays(LAST_DATE, MARGIN_DAYS));
  const rangeStart = referenceUtc(FIRST_DATE, 0);
  const rangeEnd = referenceUtc(addDays(LAST_DATE, 1), 0);
  let reference: ReferenceCalendar;
  /** Every instant in the extended range at which the reference's session changes, ascending. */
  let transitions: number[] = [];
  let regularOpens: number[] = [];
  let regularCloses: number[] = [];

  before(async function () {
    ({ reference } = await networkHelpers.loadFixture(deployCalendarFixture));
    for (const date of candidateDates) {
      for (const seconds of CANDIDATE_TIMES) {
        const at = referenceUtc(date, seconds);
        const [before, after] = [reference.session(at - 1), reference.session(at)];
        if (before === after) continue;
        transitions.push(at);
        if (after === REF_REGULAR) regularOpens.push(at);
        if (before === REF_REGULAR) regularCloses.push(at);
      }
    }
  });

  after(function () {
    console.log(
      `      calendar differential: ${totals.points.toLocaleString("en-US")} points compared, ` +
        `${totals.mismatches.toLocaleString("en-US")} mismatches`,
    );
  });

  it("generates from NYSE rules exactly the published 2026–2028 calendar it extends to 2029–2030", async function () {
    const nyse = parseCalendarData(JSON.parse(await readFile(NYSE_CALENDAR_FILE, "utf8")));
    const generated = [2026, 2027, 2028].map(nyseRules);
    expect(generated.flatMap((year) => year.holidays)).to.deep.equal(nyse.holidays);
    expect(generated.flatMap((year) => year.earlyCloses)).to.deep.equal(nyse.earlyCloses);
  });

  it("stores the same day kinds in the contract as the SDK", async function () {
    const { data, sdk, calendar } = await networkHelpers.loadFixture(deployCalendarFixture);
    const { days, kinds } = sdk.constructorArgs();
    expect(days.length).to.equal(data.holidays.length + data.earlyCloses.length);
    for (const [i, day] of days.entries()) expect(Number(await calendar.dayKind(day))).to.equal(kinds[i]);
  });

  it("agrees on sessionAt at every candidate boundary 2026–2030 (-1 s, 0, +1 s) and every DST switch", async function () {
    const fixture = await networkHelpers.loadFixture(deployCalendarFixture);
    const tally = new Tally();
    const instants = datesBetween(FIRST_DATE, LAST_DATE).flatMap((date) =>
      CANDIDATE_TIMES.map((seconds) => referenceUtc(date, seconds)),
    );
    const switches = offsetSwitches(datesBetween(FIRST_DATE, LAST_DATE));
    expect(switches.length).to.equal(10); // two per year
    const timestamps = [...instants, ...switches].flatMap((at) => [at - 1, at, at + 1]);
    const onChain = await soliditySessions(fixture, timestamps);
    timestamps.forEach((at, i) =>
      tally.compare("sessionAt", at, {
        solidity: onChain[i],
        sdk: fixture.sdk.sessionAt(at),
        reference: reference.session(at),
      }),
    );
    tally.expectNone();
  });

  it("walks exactly the reference's session boundaries with sessionWindow, on chain and in the SDK", async function () {
    const fixture = await networkHelpers.loadFixture(deployCalendarFixture);
    const tally = new Tally();
    const expected = transitions.filter((at) => at > rangeStart && at <= rangeEnd);
    const walked: number[] = [];
    for (let window = fixture.sdk.sessionWindow(rangeStart); window.end <= rangeEnd;) {
      walked.push(window.end);
      window = fixture.sdk.sessionWindow(window.end);
    }
    expect(walked).to.deep.equal(expected);
    // Each boundary opens a window that starts there, identical on chain.
    const onChain = await solidityWindows(fixture, expected);
    expected.forEach((at, i) => {
      const sdkWindow: SessionWindow = fixture.sdk.sessionWindow(at);
      tally.compare("sessionWindow at a boundary", at, {
        solidity: onChain[i],
        sdk: { ...sdkWindow },
        startsHere: { ...sdkWindow, start: at },
      });
    });
    tally.expectNone();
  });

  it(`agrees on ${RANDOM_POINTS.toLocaleString("en-US")} seeded-random timestamps for every view`, async function () {
    const fixture = await networkHelpers.loadFixture(deployCalendarFixture);
    const tally = new Tally();
    const random = seededRandom(RANDOM_SEED);
    const timestamps = Array.from({ length: RANDOM_POINTS }, () =>
      Math.floor(rangeStart + random() * (rangeEnd - rangeStart)),
    );
    const [sessions, windows, closes, opens] = [
      await soliditySessions(fixture, timestamps),
      await solidityWindows(fixture, timestamps),
      await solidityCloses(fixture, timestamps),
      await solidityOpens(fixture, timestamps),
    ];
    timestamps.forEach((at, i) => {
      const previous = lastAtOrBefore(transitions, at);
      const referenceWindow = {
        session: reference.session(at),
        start: transitions[previous],
        end: transitions[previous + 1],
      };
      tally.compare("sessionAt", at, {
        solidity: sessions[i],
        sdk: fixture.sdk.sessionAt(at),
        reference: reference.session(at),
      });
      tally.compare("sessionWindow", at, {
        solidity: windows[i],
        sdk: { ...fixture.sdk.sessionWindow(at) },
        reference: referenceWindow,
      });
      tally.compare("lastRegularClose", at, {
        solidity: closes[i],
        sdk: fixture.sdk.lastRegularClose(at),
        reference: regularCloses[lastAtOrBefore(regularCloses, at)],
      });
      tally.compare("nextRegularOpen", at, {
        solidity: opens[i],
        sdk: fixture.sdk.nextRegularOpen(at),
        reference: regularOpens[lastAtOrBefore(regularOpens, at) + 1],
      });
    });
    tally.expectNone();
  });
});
