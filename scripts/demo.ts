/**
 * Sundial demo — the README's main job (`npm run demo`).
 *
 * Deploys the market calendar with the NYSE 2026–2028 data to Hardhat's in-process chain and walks
 * a sample trading week session by session, reading every window from the chain and checking it
 * against the TypeScript SDK. The week is Thanksgiving 2026: a full holiday (Thu Nov 26), an early
 * close (Fri Nov 27), a weekend, and overnight sessions that are skipped before the holiday.
 */
import { network } from "hardhat";
import { MarketCalendar as SdkCalendar, Session, loadCalendarFile } from "../sdk/calendar.js";
import { MarketCalendar__factory } from "../typechain-types/index.js";

const WEEK_START = Date.parse("2026-11-23T05:00:00Z") / 1000; // Mon Nov 23 2026, 00:00 New York
const WEEK_END = Date.parse("2026-11-30T15:00:00Z") / 1000; // Mon Nov 30 2026, 10:00 New York

const newYork = new Intl.DateTimeFormat("en-US", {
  timeZone: "America/New_York",
  weekday: "short",
  month: "short",
  day: "2-digit",
  hour: "2-digit",
  minute: "2-digit",
  hourCycle: "h23",
  timeZoneName: "short",
});

function label(ts: number): string {
  return newYork.format(new Date(ts * 1000));
}

function hours(seconds: number): string {
  return `${(seconds / 3600).toFixed(1)} h`;
}

async function main(): Promise<void> {
  const { ethers } = await network.create();
  const [deployer] = await ethers.getSigners();
  if (deployer === undefined) throw new Error("the in-process chain has no accounts");

  const sdk: SdkCalendar = await loadCalendarFile();
  const { days, kinds } = sdk.constructorArgs();
  const calendar = await new MarketCalendar__factory(deployer).deploy(deployer.address, days, kinds);
  await calendar.waitForDeployment();
  console.log(
    `MarketCalendar deployed at ${await calendar.getAddress()} with ${days.length} NYSE days (2026–2028)`,
  );
  console.log(
    `\nSessions from ${label(WEEK_START)} to ${label(WEEK_END)} (read on-chain, checked against the SDK):\n`,
  );
  console.log(`${"session".padEnd(12)} ${"from (New York)".padEnd(26)} ${"to (New York)".padEnd(26)} length`);

  const totals = new Map<Session, number>();
  let cursor = WEEK_START;
  let windows = 0;
  while (cursor < WEEK_END) {
    const [session, start, end] = await calendar.sessionWindow(cursor);
    const expected = sdk.sessionWindow(cursor);
    if (
      Number(session) !== expected.session ||
      Number(start) !== expected.start ||
      Number(end) !== expected.end
    ) {
      throw new Error(`on-chain window at ${cursor} differs from the SDK: ${session} ${start} ${end}`);
    }
    const from = Math.max(Number(start), WEEK_START);
    const to = Math.min(Number(end), WEEK_END);
    const name = Session[expected.session];
    console.log(
      `${name.padEnd(12)} ${label(Number(start)).padEnd(26)} ${label(Number(end)).padEnd(26)} ${hours(Number(end) - Number(start))}`,
    );
    totals.set(expected.session, (totals.get(expected.session) ?? 0) + (to - from));
    cursor = Number(end);
    windows += 1;
  }

  console.log(
    `\n${windows} session windows, on-chain and SDK identical. Time in each session over the week:`,
  );
  for (const session of [
    Session.REGULAR,
    Session.PRE_MARKET,
    Session.POST_MARKET,
    Session.OVERNIGHT,
    Session.CLOSED,
  ]) {
    console.log(`  ${Session[session].padEnd(12)} ${hours(totals.get(session) ?? 0)}`);
  }
  const friday = Date.parse("2026-11-27T12:00:00Z") / 1000;
  console.log(
    `\nlastRegularClose(Fri Nov 27 07:00) = ${label(Number(await calendar.lastRegularClose(friday)))}`,
  );
  console.log(
    `nextRegularOpen(Fri Nov 27 07:00)  = ${label(Number(await calendar.nextRegularOpen(friday)))}`,
  );
  const nextOpenAfterEarlyClose = Number(
    await calendar.nextRegularOpen(Date.parse("2026-11-27T19:00:00Z") / 1000),
  );
  console.log(`nextRegularOpen(Fri Nov 27 14:00)  = ${label(nextOpenAfterEarlyClose)}`);
}

await main();
