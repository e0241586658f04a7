// The archive's calendar: dates of decisions, deadlines and access lifts are days in Almaty,
// whatever the server's own time zone.
export const ARCHIVE_TIME_ZONE = 'Asia/Almaty';

// Built once: constructing an Intl.DateTimeFormat costs far more than formatting with it, and
// access checks ask for today on every request. en-CA writes dates as YYYY-MM-DD.
const archiveDay = new Intl.DateTimeFormat('en-CA', { timeZone: ARCHIVE_TIME_ZONE, year: 'numeric', month: '2-digit', day: '2-digit' });

/** Today on the archive's calendar, YYYY-MM-DD. */
export function archiveToday(now: Date = new Date()): string {
  return archiveDay.format(now);
}
