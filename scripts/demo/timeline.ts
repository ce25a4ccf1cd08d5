/**
 * The demo's week, in one place: when it starts and ends, the scripted events (the timelocked
 * corporate actions, the weekend news, the Monday gap, the levered longs) and how long a simulation
 * step is in each session. Everything is UTC unix seconds; December 2026 is on EST (New York = UTC−5).
 */
import { Session } from "../../sdk/calendar.js";

const utc = (iso: string): number => Date.parse(iso) / 1000;

/**
 * The in-process chain's first block: Saturday 5 December 2026, 00:00 UTC. The week is scripted in
 * calendar time, so the chain must start before it whatever today's date is: create the network with
 * `network.create({ override: { initialDate: CHAIN_START_DATE } })`.
 */
export const CHAIN_START_DATE = "2026-12-05T00:00:00Z";
/** Saturday 5 December 2026, 12:00 New York: the system is deployed, governance proposes the actions. */
export const DEPLOY_TIME = utc("2026-12-05T17:00:00Z");
/** Sunday 6 December, 20:00 New York: the overnight session of Monday opens (full run). */
export const FULL_START = utc("2026-12-07T01:00:00Z");
/** Wednesday 9 December, 16:00 New York: the post-market of Wednesday (quick run). */
export const QUICK_START = utc("2026-12-09T21:00:00Z");
/** Monday 14 December, 11:00 New York: the run ends an hour and a half into regular hours. */
export const END_TIME = utc("2026-12-14T16:00:00Z");

/** NVDA splits 4:1 at the start of its ex-date (Friday 11 December): Thursday 20:00 New York. */
export const SPLIT = {
  symbol: "NVDA",
  effectiveTime: utc("2026-12-11T01:00:00Z"),
  numerator: 4,
  denominator: 1,
} as const;

/** SPY goes ex-dividend on Friday 11 December ($1.85 a share); the ex-time is the ex-date's first session. */
export const DIVIDEND = {
  symbol: "SPY",
  exTime: utc("2026-12-11T01:00:00Z"),
  amountUsd: 1.85,
} as const;

/**
 * Weekend news on AAPL: Saturday 12 December, 10:00 New York. The venue prices it in on the weekend
 * (inside the band); the stock opens 6 % higher on Sunday evening.
 */
export const NEWS = {
  symbol: "AAPL",
  time: utc("2026-12-12T15:00:00Z"),
  openMove: 0.06,
  /** How far above the mark the weekend's informed market makers centre their quotes. */
  weekendPremium: 0.04,
} as const;

/**
 * The Monday gap: TSLA opens 18 % lower when trading resumes on Sunday 20:00 New York (bad news
 * after the Friday close that nobody traded on the venue), beyond the weekend band.
 */
export const GAP = {
  symbol: "TSLA",
  time: utc("2026-12-14T01:00:00Z"),
  move: -0.18,
} as const;

/** Friday 11 December, 14:00 New York: the levered TSLA longs open (held through the weekend). */
export const LEVERED_OPEN = utc("2026-12-11T19:00:00Z");

/**
 * Seconds of simulated time per step in each session (the quick run doubles them): hourly in
 * regular hours, two-hourly in the extended sessions, four-hourly overnight and while closed. A step
 * never crosses a session boundary, so every open, close, split and ex-time is a step of its own.
 */
export function stepSeconds(session: Session, quick: boolean): number {
  const base =
    session === Session.REGULAR
      ? 3_600
      : session === Session.PRE_MARKET || session === Session.POST_MARKET
        ? 7_200
        : 14_400;
  return quick ? base * 2 : base;
}

/** The weekend after the news is traded in two-hour steps, so the venue's EMA can follow the buyers. */
export const NEWS_STEP_SECONDS = 7_200;
