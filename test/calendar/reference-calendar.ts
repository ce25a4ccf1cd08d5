/**
 * An independent reference for the market calendar, used only by the differential test. It shares
 * no code with `sdk/calendar.ts`: New York local time comes from the IANA `America/New_York` zone
 * through Node's `Intl`, dates are `YYYY-MM-DD` strings moved with `Date.UTC`, and the session rules
 * are written from the SPEC section 2 table ("OVERNIGHT 20:00–04:00 Sun–Thu nights, skipped the
 * night before a full holiday") rather than from the implementation's "next day trades" form.
 *
 * It also generates NYSE holidays and early closes from the exchange's rules (NYSE Rule 7.2), for
 * the years after the published deploy data.
 */

/** Session values as in `contracts/types/Session.sol` (plain numbers: no import from the SDK). */
export const REF_CLOSED = 0;
export const REF_PRE_MARKET = 1;
export const REF_REGULAR = 2;
export const REF_POST_MARKET = 3;
export const REF_OVERNIGHT = 4;

const HOUR = 3_600;
const WEEKDAYS = ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"];

const NEW_YORK = new Intl.DateTimeFormat("en-US", {
  timeZone: "America/New_York",
  hourCycle: "h23",
  weekday: "short",
  year: "numeric",
  month: "2-digit",
  day: "2-digit",
  hour: "2-digit",
  minute: "2-digit",
  second: "2-digit",
});

export interface ReferenceLocalTime {
  date: string; // YYYY-MM-DD in New York
  weekday: number; // 0 = Sunday
  seconds: number; // seconds since local midnight
}

/** New York wall-clock time at a UTC timestamp (seconds), according to the host's IANA tzdata. */
export function referenceLocalTime(timestamp: number): ReferenceLocalTime {
  const parts = new Map(
    NEW_YORK.formatToParts(new Date(timestamp * 1000)).map((part) => [part.type, part.value]),
  );
  const field = (type: Intl.DateTimeFormatPartTypes): string => {
    const value = parts.get(type);
    if (value === undefined) throw new Error(`Intl did not return ${type}`);
    return value;
  };
  return {
    date: `${field("year")}-${field("month")}-${field("day")}`,
    weekday: WEEKDAYS.indexOf(field("weekday")),
    seconds: Number(field("hour")) * HOUR + Number(field("minute")) * 60 + Number(field("second")),
  };
}

/** Whole days since 1970-01-01 of a `YYYY-MM-DD` date, by `Date.UTC`. */
function epochDays(date: string): number {
  const [year, month, day] = date.split("-").map(Number);
  return Date.UTC(year ?? NaN, (month ?? NaN) - 1, day ?? NaN) / 86_400_000;
}

/** New York's UTC offset at a timestamp, in seconds (wall clock minus UTC: -14400 or -18000). */
export function referenceUtcOffset(timestamp: number): number {
  const local = referenceLocalTime(timestamp);
  return epochDays(local.date) * 86_400 + local.seconds - timestamp;
}

/** The date `days` later (or earlier) than `date`. */
export function addDays(date: string, days: number): string {
  return new Date((epochDays(date) + days) * 86_400_000).toISOString().slice(0, 10);
}

function utcWeekday(date: string): number {
  return new Date(epochDays(date) * 86_400_000).getUTCDay();
}

/**
 * The UTC timestamp at which New York clocks show `seconds` after midnight on `date`, found by
 * correcting a guess with `Intl` until the wall clock matches (never used for skipped hours).
 */
export function referenceUtc(date: string, seconds: number): number {
  let guess = epochDays(date) * 86_400 + seconds + 5 * HOUR;
  for (let attempt = 0; attempt < 3; attempt++) {
    const local = referenceLocalTime(guess);
    const error = (epochDays(local.date) - epochDays(date)) * 86_400 + local.seconds - seconds;
    if (error === 0) return guess;
    guess -= error;
  }
  throw new Error(`no UTC instant shows ${date} +${seconds}s in New York`);
}

/** The SPEC section 2 table, evaluated on `Intl`'s New York wall clock. */
export class ReferenceCalendar {
  constructor(
    private readonly holidays: ReadonlySet<string>,
    private readonly earlyCloses: ReadonlySet<string>,
  ) {}

  session(timestamp: number): number {
    const { date, weekday, seconds } = referenceLocalTime(timestamp);
    if (seconds >= 20 * HOUR || seconds < 4 * HOUR) {
      // The night belongs to the evening it started on.
      const evening = seconds >= 20 * HOUR ? date : addDays(date, -1);
      const eveningWeekday = seconds >= 20 * HOUR ? weekday : (weekday + 6) % 7;
      const sundayToThursday = eveningWeekday <= 4;
      return sundayToThursday && !this.holidays.has(addDays(evening, 1)) ? REF_OVERNIGHT : REF_CLOSED;
    }
    const weekdayTrading = weekday >= 1 && weekday <= 5;
    if (!weekdayTrading || this.holidays.has(date)) return REF_CLOSED;
    const early = this.earlyCloses.has(date);
    if (seconds < 9.5 * HOUR) return REF_PRE_MARKET;
    if (seconds < (early ? 13 : 16) * HOUR) return REF_REGULAR;
    if (seconds < (early ? 17 : 20) * HOUR) return REF_POST_MARKET;
    return REF_CLOSED;
  }
}

// ---------------------------------------------------------------------------------- NYSE rules

function isoDate(year: number, month: number, day: number): string {
  return new Date(Date.UTC(year, month - 1, day)).toISOString().slice(0, 10);
}

/** The `n`-th (1-based) `weekday` of a month, or the last one when `n` is -1. */
function nthWeekday(year: number, month: number, weekday: number, n: number): string {
  if (n === -1) {
    const last = isoDate(year, month + 1, 0);
    return addDays(last, -((utcWeekday(last) - weekday + 7) % 7));
  }
  const first = isoDate(year, month, 1);
  return addDays(first, ((weekday - utcWeekday(first) + 7) % 7) + 7 * (n - 1));
}

/** Easter Sunday (Gregorian), by the anonymous "Meeus/Jones/Butcher" computus. */
export function easterSunday(year: number): string {
  const a = year % 19;
  const b = Math.floor(year / 100);
  const c = year % 100;
  const d = Math.floor(b / 4);
  const e = b % 4;
  const f = Math.floor((b + 8) / 25);
  const g = Math.floor((b - f + 1) / 3);
  const h = (19 * a + b - d - g + 15) % 30;
  const i = Math.floor(c / 4);
  const k = c % 4;
  const l = (32 + 2 * e + 2 * i - h - k) % 7;
  const m = Math.floor((a + 11 * h + 22 * l) / 451);
  const month = Math.floor((h + l - 7 * m + 114) / 31);
  const day = ((h + l - 7 * m + 114) % 31) + 1;
  return isoDate(year, month, day);
}

/** A fixed-date holiday moved to Friday when on Saturday, to Monday when on Sunday. */
function observed(date: string): string {
  const weekday = utcWeekday(date);
  return weekday === 6 ? addDays(date, -1) : weekday === 0 ? addDays(date, 1) : date;
}

/**
 * NYSE holidays and early closes of `year` from the exchange's rules:
 * - New Year's Day (Sunday -> Monday; Saturday -> not observed, since NYSE never closes on Dec 31),
 *   Martin Luther King Jr. Day (3rd Monday of January), Washington's Birthday (3rd Monday of
 *   February), Good Friday, Memorial Day (last Monday of May), Juneteenth, Independence Day, Labor
 *   Day (1st Monday of September), Thanksgiving (4th Thursday of November), Christmas; other
 *   fixed dates move Saturday -> Friday and Sunday -> Monday.
 * - Early closes (13:00): July 3 and December 24 when they are weekdays and not holidays themselves,
 *   and the day after Thanksgiving.
 */
export function nyseRules(year: number): { holidays: string[]; earlyCloses: string[] } {
  const newYear = isoDate(year, 1, 1);
  const holidays = [
    ...(utcWeekday(newYear) === 6 ? [] : [observed(newYear)]),
    nthWeekday(year, 1, 1, 3),
    nthWeekday(year, 2, 1, 3),
    addDays(easterSunday(year), -2),
    nthWeekday(year, 5, 1, -1),
    observed(isoDate(year, 6, 19)),
    observed(isoDate(year, 7, 4)),
    nthWeekday(year, 9, 1, 1),
    nthWeekday(year, 11, 4, 4),
    observed(isoDate(year, 12, 25)),
  ];
  const tradingWeekday = (date: string): boolean =>
    utcWeekday(date) >= 1 && utcWeekday(date) <= 5 && !holidays.includes(date);
  const earlyCloses = [
    isoDate(year, 7, 3),
    addDays(nthWeekday(year, 11, 4, 4), 1),
    isoDate(year, 12, 24),
  ].filter(tradingWeekday);
  return { holidays, earlyCloses: earlyCloses.sort() };
}
