import { expect } from "chai";
import { mkdtemp, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import {
  CalendarError,
  DayKind,
  MAX_TIMESTAMP,
  MIN_TIMESTAMP,
  MarketCalendar,
  SEARCH_HORIZON_DAYS,
  Session,
  dateString,
  dayNumber,
  fromNewYork,
  loadCalendarFile,
  parseCalendarData,
  toNewYork,
  weekday,
} from "../../sdk/index.js";

/** UTC seconds of an ISO instant (the tests write New York times in comments). */
const utc = (iso: string): number => Date.parse(iso) / 1000;

function expectCalendarError(run: () => unknown, code: CalendarError["code"]): void {
  try {
    run();
  } catch (error) {
    expect(error).to.be.instanceOf(CalendarError);
    expect((error as CalendarError).code).to.equal(code);
    return;
  }
  expect.fail(`expected a CalendarError ${code}`);
}

/** Holidays on Jan 1 2026 and every weekday Jan 5–19 2026: Fri Jan 2 and Tue Jan 20 trade. */
const LONG_CLOSURE = new MarketCalendar({
  holidays: [
    "2026-01-01",
    ...[5, 6, 7, 8, 9, 12, 13, 14, 15, 16, 19].map((d) => `2026-01-${String(d).padStart(2, "0")}`),
  ],
  earlyCloses: [],
});

describe("sdk/calendar", function () {
  let nyse: MarketCalendar;

  before(async function () {
    nyse = await loadCalendarFile();
  });

  describe("dates", function () {
    it("converts YYYY-MM-DD to day numbers and back", function () {
      expect(dayNumber("1970-01-01")).to.equal(0);
      expect(dayNumber("2026-01-01")).to.equal(20_454);
      expect(dayNumber("2024-02-29")).to.equal(19_782);
      expect(dayNumber("9999-12-31")).to.equal(2_932_896);
      for (const date of ["1970-01-01", "2000-02-29", "2026-12-31", "2100-03-01"]) {
        expect(dateString(dayNumber(date))).to.equal(date);
      }
    });

    it("rejects malformed, impossible and pre-1970 dates", function () {
      for (const date of ["2026-1-01", "20260101", "2026-02-30", "2026-13-01", "2026-00-10", "1969-12-31"]) {
        expectCalendarError(() => dayNumber(date), "InvalidDate");
      }
    });

    it("computes weekdays with Sunday = 0", function () {
      expect(weekday(dayNumber("1970-01-01"))).to.equal(4);
      expect(weekday(dayNumber("2026-03-08"))).to.equal(0);
      expect(weekday(dayNumber("2026-03-07"))).to.equal(6);
    });

    it("converts UTC to New York time across both DST switches", function () {
      // 2026-03-08: 01:59:59 EST is followed by 03:00:00 EDT.
      expect(toNewYork(utc("2026-03-08T06:59:59Z"))).to.deep.equal({ day: 20_520, secondOfDay: 7_199 });
      expect(toNewYork(utc("2026-03-08T07:00:00Z"))).to.deep.equal({ day: 20_520, secondOfDay: 10_800 });
      // 2026-11-01: 01:59:59 EDT is followed by 01:00:00 EST.
      expect(toNewYork(utc("2026-11-01T05:59:59Z")).secondOfDay).to.equal(7_199);
      expect(toNewYork(utc("2026-11-01T06:00:00Z")).secondOfDay).to.equal(3_600);
      expect(fromNewYork(20_520, 20 * 3_600)).to.equal(utc("2026-03-09T00:00:00Z"));
    });
  });

  describe("MarketCalendar data", function () {
    it("keeps the ABI's enum values", function () {
      expect([
        Session.CLOSED,
        Session.PRE_MARKET,
        Session.REGULAR,
        Session.POST_MARKET,
        Session.OVERNIGHT,
      ]).to.deep.equal([0, 1, 2, 3, 4]);
      expect([DayKind.NORMAL, DayKind.HOLIDAY, DayKind.EARLY_CLOSE]).to.deep.equal([0, 1, 2]);
    });

    it("loads the NYSE 2026–2028 deploy parameters", function () {
      expect(nyse.dayKind(dayNumber("2026-04-03"))).to.equal(DayKind.HOLIDAY);
      expect(nyse.dayKind(dayNumber("2028-07-03"))).to.equal(DayKind.EARLY_CLOSE);
      expect(nyse.dayKind(dayNumber("2026-04-06"))).to.equal(DayKind.NORMAL);
      expect(nyse.isTradingDay(dayNumber("2026-04-03"))).to.equal(false);
      expect(nyse.isTradingDay(dayNumber("2026-04-04"))).to.equal(false);
      expect(nyse.isTradingDay(dayNumber("2026-11-27"))).to.equal(true);
    });

    it("loads a calendar file from an explicit path", async function () {
      const file = join(await mkdtemp(join(tmpdir(), "calendar-")), "calendar.json");
      await writeFile(file, JSON.stringify({ holidays: ["2031-01-01"], earlyCloses: ["2031-12-24"] }));
      const calendar = await loadCalendarFile(file);
      expect(calendar.dayKind(dayNumber("2031-01-01"))).to.equal(DayKind.HOLIDAY);
      expect(calendar.dayKind(dayNumber("2031-12-24"))).to.equal(DayKind.EARLY_CLOSE);
    });

    it("returns the constructor arguments of the Solidity calendar, sorted by day", function () {
      const calendar = new MarketCalendar({
        holidays: ["2026-12-25", "2026-01-01"],
        earlyCloses: ["2026-11-27"],
      });
      expect(calendar.constructorArgs()).to.deep.equal({
        days: [20_454n, 20_784n, 20_812n],
        kinds: [DayKind.HOLIDAY, DayKind.EARLY_CLOSE, DayKind.HOLIDAY],
      });
    });

    it("rejects weekend, duplicate and malformed dates", function () {
      expectCalendarError(
        () => new MarketCalendar({ holidays: ["2026-03-07"], earlyCloses: [] }),
        "WeekendDay",
      );
      expectCalendarError(
        () => new MarketCalendar({ holidays: ["2026-12-24"], earlyCloses: ["2026-12-24"] }),
        "DuplicateDate",
      );
      expectCalendarError(
        () => new MarketCalendar({ holidays: ["12/25/2026"], earlyCloses: [] }),
        "InvalidDate",
      );
    });

    it("rejects data files of the wrong shape", function () {
      expectCalendarError(() => parseCalendarData(null), "InvalidData");
      expectCalendarError(() => parseCalendarData([]), "InvalidData");
      expectCalendarError(() => parseCalendarData({ holidays: ["2026-01-01"] }), "InvalidData");
      expectCalendarError(() => parseCalendarData({ holidays: [20_454], earlyCloses: [] }), "InvalidData");
    });
  });

  describe("sessions", function () {
    it("follows a normal winter day", function () {
      expect(nyse.sessionAt(utc("2026-01-06T08:59:59Z"))).to.equal(Session.OVERNIGHT); // 03:59:59 EST
      expect(nyse.sessionAt(utc("2026-01-06T09:00:00Z"))).to.equal(Session.PRE_MARKET); // 04:00
      expect(nyse.sessionAt(utc("2026-01-06T14:30:00Z"))).to.equal(Session.REGULAR); // 09:30
      expect(nyse.sessionAt(utc("2026-01-06T21:00:00Z"))).to.equal(Session.POST_MARKET); // 16:00
      expect(nyse.sessionAt(utc("2026-01-07T01:00:00Z"))).to.equal(Session.OVERNIGHT); // 20:00
    });

    it("closes 17:00–20:00 after an early close and skips the overnight before a holiday", function () {
      expect(nyse.sessionAt(utc("2026-12-24T18:00:00Z"))).to.equal(Session.POST_MARKET); // Thu 13:00 EST
      expect(nyse.sessionAt(utc("2026-12-24T22:00:00Z"))).to.equal(Session.CLOSED); // Thu 17:00
      expect(nyse.sessionAt(utc("2026-12-25T01:00:00Z"))).to.equal(Session.CLOSED); // Thu 20:00
      expect(nyse.sessionWindow(utc("2026-12-25T17:00:00Z"))).to.deep.equal({
        session: Session.CLOSED,
        start: utc("2026-12-24T22:00:00Z"), // Thu 17:00 EST
        end: utc("2026-12-28T01:00:00Z"), // Sun 20:00 EST
      });
    });

    it("closes the Sunday night before a Monday holiday and opens the Monday night", function () {
      expect(nyse.sessionAt(utc("2026-01-19T01:00:00Z"))).to.equal(Session.CLOSED); // Sun 20:00 EST
      expect(nyse.sessionWindow(utc("2026-01-20T01:00:00Z"))).to.deep.equal({
        session: Session.OVERNIGHT,
        start: utc("2026-01-20T01:00:00Z"), // Mon 20:00 EST
        end: utc("2026-01-20T09:00:00Z"), // Tue 04:00 EST
      });
    });

    it("finds the last regular close and the next regular open across a DST weekend", function () {
      const saturday = utc("2026-03-07T17:00:00Z");
      expect(nyse.lastRegularClose(saturday)).to.equal(utc("2026-03-06T21:00:00Z")); // Fri 16:00 EST
      expect(nyse.nextRegularOpen(saturday)).to.equal(utc("2026-03-09T13:30:00Z")); // Mon 09:30 EDT
      expect(nyse.lastRegularClose(utc("2026-03-06T21:00:00Z"))).to.equal(utc("2026-03-06T21:00:00Z"));
      expect(nyse.nextRegularOpen(utc("2026-03-09T13:30:00Z"))).to.equal(utc("2026-03-10T13:30:00Z"));
    });
  });

  describe("errors", function () {
    it("rejects timestamps outside the supported range or not integral", function () {
      for (const timestamp of [MIN_TIMESTAMP - 1, MAX_TIMESTAMP + 1, 1.5, Number.NaN]) {
        expectCalendarError(() => nyse.sessionAt(timestamp), "TimestampOutOfRange");
        expectCalendarError(() => nyse.sessionWindow(timestamp), "TimestampOutOfRange");
        expectCalendarError(() => nyse.lastRegularClose(timestamp), "TimestampOutOfRange");
        expectCalendarError(() => nyse.nextRegularOpen(timestamp), "TimestampOutOfRange");
      }
      expect(() => nyse.sessionAt(MIN_TIMESTAMP)).not.to.throw();
      expect(() => nyse.sessionAt(MAX_TIMESTAMP)).not.to.throw();
    });

    it(`searches exactly ${SEARCH_HORIZON_DAYS} days for a trading day`, function () {
      expect(LONG_CLOSURE.lastRegularClose(utc("2026-01-16T17:00:00Z"))).to.equal(
        utc("2026-01-02T21:00:00Z"),
      );
      expect(LONG_CLOSURE.nextRegularOpen(utc("2026-01-06T17:00:00Z"))).to.equal(utc("2026-01-20T14:30:00Z"));
      expect(LONG_CLOSURE.sessionWindow(utc("2026-01-05T17:00:00Z"))).to.deep.equal({
        session: Session.CLOSED,
        start: utc("2026-01-03T01:00:00Z"),
        end: utc("2026-01-20T01:00:00Z"),
      });
      expectCalendarError(
        () => LONG_CLOSURE.lastRegularClose(utc("2026-01-17T17:00:00Z")),
        "NoRegularSessionWithin",
      );
      expectCalendarError(
        () => LONG_CLOSURE.nextRegularOpen(utc("2026-01-05T17:00:00Z")),
        "NoRegularSessionWithin",
      );
      expectCalendarError(
        () => LONG_CLOSURE.sessionWindow(utc("2026-01-04T17:00:00Z")),
        "NoRegularSessionWithin",
      );
      expectCalendarError(
        () => LONG_CLOSURE.sessionWindow(utc("2026-01-17T17:00:00Z")),
        "NoRegularSessionWithin",
      );
    });
  });
});
