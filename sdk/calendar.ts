/**
 * Sundial's market calendar in TypeScript: the US-equity session in force at any UTC timestamp
 * (SPEC section 2). It mirrors `contracts/libraries/CalendarMath.sol` and
 * `contracts/core/MarketCalendar.sol` step by step (same arithmetic, same search horizon, same
 * errors) and is differential-tested against them and against the IANA `America/New_York` zone.
 *
 * Timestamps are UTC seconds (`number`; every supported timestamp is a safe integer). Days are
 * New York day numbers: days since 1970-01-01 of the local date. New York time is computed from
 * the US daylight-saving rule, without `Intl`, so the result never depends on the host's tzdata.
 */

/** The session in force. Values are the Solidity enum's (`contracts/types/Session.sol`). */
export enum Session {
  CLOSED = 0,
  PRE_MARKET = 1,
  REGULAR = 2,
  POST_MARKET = 3,
  OVERNIGHT = 4,
}

/** How governance marked a New York day. Values are the Solidity enum's. */
export enum DayKind {
  NORMAL = 0,
  HOLIDAY = 1,
  EARLY_CLOSE = 2,
}

/** Holiday and early-close dates (`YYYY-MM-DD`, New York), as in `deploy/parameters/nyse-calendar.json`. */
export interface CalendarData {
  holidays: string[];
  earlyCloses: string[];
}

/** A session and the maximal half-open interval `[start, end)` (UTC seconds) during which it holds. */
export interface SessionWindow {
  session: Session;
  start: number;
  end: number;
}

/** New York local time: day number and second of that day. */
export interface NewYorkTime {
  day: number;
  secondOfDay: number;
}

const MINUTE = 60;
const HOUR = 3_600;
const DAY = 86_400;

// Mirrors the calendar section of contracts/libraries/Constants.sol (derivations there).
export const PRE_MARKET_OPEN = 4 * HOUR;
export const REGULAR_OPEN = 9 * HOUR + 30 * MINUTE;
export const REGULAR_CLOSE = 16 * HOUR;
export const EARLY_REGULAR_CLOSE = 13 * HOUR;
export const POST_MARKET_CLOSE = 20 * HOUR;
export const EARLY_POST_MARKET_CLOSE = 17 * HOUR;
export const OVERNIGHT_OPEN = 20 * HOUR;
export const EST_OFFSET = 5 * HOUR;
export const EDT_OFFSET = 4 * HOUR;
export const DST_START_UTC = 7 * HOUR;
export const DST_END_UTC = 6 * HOUR;
export const SEARCH_HORIZON_DAYS = 14;
export const MIN_TIMESTAMP = SEARCH_HORIZON_DAYS * DAY + EST_OFFSET;
export const MAX_TIMESTAMP = 253_402_300_799;

// Mirrors contracts/libraries/CalendarMath.sol.
const EPOCH_SHIFT_DAYS = 719_468;
const DAYS_PER_ERA = 146_097;
const MARCH_1_TO_NOVEMBER_1 = 245;

/** The calendar's errors, named as the Solidity custom errors they mirror. */
export class CalendarError extends Error {
  constructor(
    readonly code:
      | "TimestampOutOfRange"
      | "NoRegularSessionWithin"
      | "InvalidData"
      | "InvalidDate"
      | "WeekendDay"
      | "DuplicateDate",
    message: string,
  ) {
    super(message);
    this.name = "CalendarError";
  }
}

// ---------------------------------------------------------------------------------- date math

/** Days since 0000-03-01 split into 400-year era, year of era and day of the March year. */
function marchYear(shiftedDay: number): { era: number; yoe: number; doy: number } {
  const era = Math.floor(shiftedDay / DAYS_PER_ERA);
  const doe = shiftedDay - era * DAYS_PER_ERA;
  const yoe = Math.floor(
    (doe - Math.floor(doe / 1460) + Math.floor(doe / 36_524) - Math.floor(doe / 146_096)) / 365,
  );
  const doy = doe - (365 * yoe + Math.floor(yoe / 4) - Math.floor(yoe / 100));
  return { era, yoe, doy };
}

/** The day number (days since 1970-01-01) of a proleptic Gregorian date (year >= 1970). */
export function daysFromCivil(year: number, month: number, day: number): number {
  const marchYearNumber = month <= 2 ? year - 1 : year;
  const era = Math.floor(marchYearNumber / 400);
  const yoe = marchYearNumber - era * 400;
  const monthIndex = month > 2 ? month - 3 : month + 9;
  const doy = Math.floor((153 * monthIndex + 2) / 5) + day - 1;
  const doe = yoe * 365 + Math.floor(yoe / 4) - Math.floor(yoe / 100) + doy;
  return era * DAYS_PER_ERA + doe - EPOCH_SHIFT_DAYS;
}

/** The proleptic Gregorian date of a day number. */
export function civilFromDays(dayNumberValue: number): { year: number; month: number; day: number } {
  const { era, yoe, doy } = marchYear(dayNumberValue + EPOCH_SHIFT_DAYS);
  const mp = Math.floor((5 * doy + 2) / 153);
  const day = doy - Math.floor((153 * mp + 2) / 5) + 1;
  const month = mp < 10 ? mp + 3 : mp - 9;
  return { year: era * 400 + yoe + (month <= 2 ? 1 : 0), month, day };
}

/** Day of the week: 0 = Sunday ... 6 = Saturday (1970-01-01 was a Thursday). */
export function weekday(day: number): number {
  return (day + 4) % 7;
}

export function isWeekend(day: number): boolean {
  const dayOfWeek = weekday(day);
  return dayOfWeek === 0 || dayOfWeek === 6;
}

/** The New York day number of a `YYYY-MM-DD` date string. */
export function dayNumber(date: string): number {
  const match = /^(\d{4})-(\d{2})-(\d{2})$/.exec(date);
  if (match === null) throw new CalendarError("InvalidDate", `not a YYYY-MM-DD date: "${date}"`);
  const [year, month, day] = [Number(match[1]), Number(match[2]), Number(match[3])];
  const result =
    year >= 1970 && month >= 1 && month <= 12 && day >= 1 ? daysFromCivil(year, month, day) : NaN;
  const roundTrip = Number.isNaN(result) ? undefined : civilFromDays(result);
  if (roundTrip === undefined || roundTrip.month !== month || roundTrip.day !== day) {
    throw new CalendarError("InvalidDate", `not a date on or after 1970-01-01: "${date}"`);
  }
  return result;
}

/** The `YYYY-MM-DD` string of a day number. */
export function dateString(day: number): string {
  const { year, month, day: dayOfMonth } = civilFromDays(day);
  return `${String(year).padStart(4, "0")}-${String(month).padStart(2, "0")}-${String(dayOfMonth).padStart(2, "0")}`;
}

/** Days from the shifted day to the next Sunday (0 if Sunday); shifted day 0 was a Wednesday. */
function daysUntilSunday(shiftedDay: number): number {
  return (7 - ((shiftedDay + 3) % 7)) % 7;
}

/** DST start (second Sunday of March) and end (first Sunday of November) as shifted day numbers. */
function dstDays(shiftedDay: number): { startDay: number; endDay: number } {
  const marchFirst = shiftedDay - marchYear(shiftedDay).doy;
  const novemberFirst = marchFirst + MARCH_1_TO_NOVEMBER_1;
  return {
    startDay: marchFirst + daysUntilSunday(marchFirst) + 7,
    endDay: novemberFirst + daysUntilSunday(novemberFirst),
  };
}

/** Whether US daylight-saving time (EDT) is in force at the UTC timestamp. */
export function isDaylightSavingAt(timestamp: number): boolean {
  const shiftedDay = Math.floor(timestamp / DAY) + EPOCH_SHIFT_DAYS;
  const secondOfDay = timestamp % DAY;
  const { startDay, endDay } = dstDays(shiftedDay);
  const started = shiftedDay > startDay || (shiftedDay === startDay && secondOfDay >= DST_START_UTC);
  const ended = shiftedDay > endDay || (shiftedDay === endDay && secondOfDay >= DST_END_UTC);
  return started && !ended;
}

/** New York local day and second of day at a UTC timestamp (>= 5 hours). */
export function toNewYork(timestamp: number): NewYorkTime {
  const localTime = timestamp - (isDaylightSavingAt(timestamp) ? EDT_OFFSET : EST_OFFSET);
  return { day: Math.floor(localTime / DAY), secondOfDay: localTime % DAY };
}

/**
 * The UTC timestamp of a New York local time, using the offset in force at local noon of that day:
 * exact except 00:00–03:00 on the two DST switch Sundays, which are never session boundaries.
 */
export function fromNewYork(day: number, secondOfDay: number): number {
  const shiftedDay = day + EPOCH_SHIFT_DAYS;
  const { startDay, endDay } = dstDays(shiftedDay);
  const daylightSaving = shiftedDay >= startDay && shiftedDay < endDay;
  return day * DAY + secondOfDay + (daylightSaving ? EDT_OFFSET : EST_OFFSET);
}

// ---------------------------------------------------------------------------------- the calendar

function regularClose(kind: DayKind): number {
  return kind === DayKind.EARLY_CLOSE ? EARLY_REGULAR_CLOSE : REGULAR_CLOSE;
}

function postMarketClose(kind: DayKind): number {
  return kind === DayKind.EARLY_CLOSE ? EARLY_POST_MARKET_CLOSE : POST_MARKET_CLOSE;
}

/** The market calendar over a fixed set of holidays and early closes. */
export class MarketCalendar {
  private readonly kinds: ReadonlyMap<number, DayKind>;

  /** @throws CalendarError on malformed, weekend or duplicate dates. */
  constructor(data: CalendarData) {
    const kinds = new Map<number, DayKind>();
    const add = (date: string, kind: DayKind): void => {
      const day = dayNumber(date);
      if (isWeekend(day)) throw new CalendarError("WeekendDay", `${date} is a weekend day`);
      if (kinds.has(day)) throw new CalendarError("DuplicateDate", `${date} is listed twice`);
      kinds.set(day, kind);
    };
    data.holidays.forEach((date) => add(date, DayKind.HOLIDAY));
    data.earlyCloses.forEach((date) => add(date, DayKind.EARLY_CLOSE));
    this.kinds = kinds;
  }

  /** How New York day `day` is marked (weekends and unmarked days are NORMAL). */
  dayKind(day: number): DayKind {
    return this.kinds.get(day) ?? DayKind.NORMAL;
  }

  /** Whether New York day `day` has sessions: a weekday not marked HOLIDAY. */
  isTradingDay(day: number): boolean {
    return !isWeekend(day) && this.dayKind(day) !== DayKind.HOLIDAY;
  }

  /** The day data as the Solidity constructor's `(initialDays, initialKinds)`, sorted by day. */
  constructorArgs(): { days: bigint[]; kinds: DayKind[] } {
    const entries = [...this.kinds.entries()].sort(([a], [b]) => a - b);
    return { days: entries.map(([day]) => BigInt(day)), kinds: entries.map(([, kind]) => kind) };
  }

  /** The session in force at `timestamp` (UTC seconds). Half-open: a boundary belongs to the session it opens. */
  sessionAt(timestamp: number): Session {
    const { day, secondOfDay } = checkedNewYork(timestamp);
    return this.sessionAtLocal(day, secondOfDay);
  }

  /** The session at `timestamp` and the maximal interval `[start, end)` in which it holds. */
  sessionWindow(timestamp: number): SessionWindow {
    const { day, secondOfDay } = checkedNewYork(timestamp);
    const session = this.sessionAtLocal(day, secondOfDay);
    if (session === Session.CLOSED) return { session, ...this.closedWindow(timestamp, day) };
    if (session === Session.OVERNIGHT) {
      const eveningDay = secondOfDay < PRE_MARKET_OPEN ? day - 1 : day;
      return {
        session,
        start: fromNewYork(eveningDay, OVERNIGHT_OPEN),
        end: fromNewYork(eveningDay + 1, PRE_MARKET_OPEN),
      };
    }
    return { session, ...this.tradingDayWindow(session, day) };
  }

  /** The latest regular-session close at or before `timestamp`. */
  lastRegularClose(timestamp: number): number {
    const { day, secondOfDay } = checkedNewYork(timestamp);
    for (let i = 0; i <= SEARCH_HORIZON_DAYS; i++) {
      if (this.isTradingDay(day - i)) {
        const close = regularClose(this.dayKind(day - i));
        if (i > 0 || secondOfDay >= close) return fromNewYork(day - i, close);
      }
    }
    throw noRegularSession(timestamp);
  }

  /** The earliest regular-session open strictly after `timestamp`. */
  nextRegularOpen(timestamp: number): number {
    const { day, secondOfDay } = checkedNewYork(timestamp);
    for (let i = 0; i <= SEARCH_HORIZON_DAYS; i++) {
      if (this.isTradingDay(day + i) && (i > 0 || secondOfDay < REGULAR_OPEN)) {
        return fromNewYork(day + i, REGULAR_OPEN);
      }
    }
    throw noRegularSession(timestamp);
  }

  private sessionAtLocal(day: number, secondOfDay: number): Session {
    if (secondOfDay < PRE_MARKET_OPEN) return this.nightSession(day);
    if (secondOfDay >= OVERNIGHT_OPEN) return this.nightSession(day + 1);
    if (!this.isTradingDay(day)) return Session.CLOSED;
    const kind = this.dayKind(day);
    if (secondOfDay < REGULAR_OPEN) return Session.PRE_MARKET;
    if (secondOfDay < regularClose(kind)) return Session.REGULAR;
    if (secondOfDay < postMarketClose(kind)) return Session.POST_MARKET;
    return Session.CLOSED; // after an early post-market close, until 20:00
  }

  /** The session of the night that ends at 04:00 of `morningDay`. */
  private nightSession(morningDay: number): Session {
    return this.isTradingDay(morningDay) ? Session.OVERNIGHT : Session.CLOSED;
  }

  private tradingDayWindow(session: Session, day: number): { start: number; end: number } {
    const kind = this.dayKind(day);
    const [localStart, localEnd] =
      session === Session.PRE_MARKET
        ? [PRE_MARKET_OPEN, REGULAR_OPEN]
        : session === Session.REGULAR
          ? [REGULAR_OPEN, regularClose(kind)]
          : [regularClose(kind), postMarketClose(kind)];
    return { start: fromNewYork(day, localStart), end: fromNewYork(day, localEnd) };
  }

  /** From the post-market close of the latest trading day <= `day` to 20:00 before the next one > `day`. */
  private closedWindow(timestamp: number, day: number): { start: number; end: number } {
    const previousDay = this.searchTradingDay(timestamp, day, -1);
    const nextDay = this.searchTradingDay(timestamp, day + 1, 1);
    return {
      start: fromNewYork(previousDay, postMarketClose(this.dayKind(previousDay))),
      end: fromNewYork(nextDay - 1, OVERNIGHT_OPEN),
    };
  }

  private searchTradingDay(timestamp: number, fromDay: number, step: 1 | -1): number {
    for (let i = 0; i <= SEARCH_HORIZON_DAYS; i++) {
      if (this.isTradingDay(fromDay + step * i)) return fromDay + step * i;
    }
    throw noRegularSession(timestamp);
  }
}

function checkedNewYork(timestamp: number): NewYorkTime {
  if (!Number.isSafeInteger(timestamp) || timestamp < MIN_TIMESTAMP || timestamp > MAX_TIMESTAMP) {
    throw new CalendarError("TimestampOutOfRange", `timestamp ${timestamp} is outside the supported range`);
  }
  return toNewYork(timestamp);
}

function noRegularSession(timestamp: number): CalendarError {
  return new CalendarError(
    "NoRegularSessionWithin",
    `no regular session within ${SEARCH_HORIZON_DAYS} days of timestamp ${timestamp}`,
  );
}

// ---------------------------------------------------------------------------------- data files

/** Validates parsed JSON as `CalendarData` (shape only; dates are checked by `MarketCalendar`). */
export function parseCalendarData(json: unknown): CalendarData {
  const isStringArray = (value: unknown): value is string[] =>
    Array.isArray(value) && value.every((item) => typeof item === "string");
  if (typeof json !== "object" || json === null)
    throw new CalendarError("InvalidData", "calendar data is not an object");
  const { holidays, earlyCloses } = json as Record<string, unknown>;
  if (!isStringArray(holidays) || !isStringArray(earlyCloses)) {
    throw new CalendarError("InvalidData", "calendar data needs string arrays `holidays` and `earlyCloses`");
  }
  return { holidays, earlyCloses };
}

/** The NYSE calendar shipped as a deploy parameter (2026–2028). */
export const NYSE_CALENDAR_FILE = new URL("../deploy/parameters/nyse-calendar.json", import.meta.url);

/** Reads a calendar data file (Node.js only; defaults to the NYSE file) and returns the calendar. */
export async function loadCalendarFile(file: string | URL = NYSE_CALENDAR_FILE): Promise<MarketCalendar> {
  // Imported lazily so that browsers can bundle this module without `fs`.
  const { readFile } = await import("node:fs/promises");
  return new MarketCalendar(parseCalendarData(JSON.parse(await readFile(file, "utf8"))));
}
