import { readFileSync } from "node:fs";
import { MarketCalendar, parseCalendarData } from "../../sdk/calendar.js";

/** The NYSE 2026–2028 holidays and early closes, read from `deploy/parameters/nyse-calendar.json`. */
const NYSE_FILE = new URL("../parameters/nyse-calendar.json", import.meta.url);

/**
 * The calendar data as `MarketCalendar`'s constructor arguments (New York day numbers and kinds),
 * validated by the SDK (no weekends, no duplicates, well-formed dates).
 */
export function nyseCalendarArgs(): { days: bigint[]; kinds: number[] } {
  const calendar = new MarketCalendar(parseCalendarData(JSON.parse(readFileSync(NYSE_FILE, "utf8"))));
  const { days, kinds } = calendar.constructorArgs();
  return { days, kinds: kinds.map(Number) };
}
