/** How values of date, time and uuid fields are written, checked before the database sees them (so it never rejects one with an error). */
export const VALUE_FORMATS: Readonly<Record<string, RegExp>> = {
  uuid: /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i,
  date: /^\d{4}-\d{2}-\d{2}$/,
  time: /^\d{2}:\d{2}(:\d{2}(\.\d+)?)?$/,
  timestamp: /^\d{4}-\d{2}-\d{2}([T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}(:?\d{2})?)?)?$/,
  dateTime: /^\d{4}-\d{2}-\d{2}([T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?)?$/,
};

/** Whether a string is a valid value for a field of this type (types without a format accept any string). */
export function fitsFormat(type: string, text: string): boolean {
  const format = VALUE_FORMATS[type];
  if (format && !format.test(text)) return false;
  if (type === 'date' || type === 'timestamp' || type === 'dateTime') return realDate(text.slice(0, 10)) && (text.length <= 10 || realTime(text.slice(11)));
  if (type === 'time') return realTime(text);
  return true;
}

/** A day the calendar has: 2024-02-29 is one, 2023-02-29 and 2024-02-30 are not. */
function realDate(text: string): boolean {
  const [year, month, day] = text.split('-').map(Number) as [number, number, number];
  const date = new Date(Date.UTC(year, month - 1, day));
  return date.getUTCFullYear() === year && date.getUTCMonth() === month - 1 && date.getUTCDate() === day;
}

/** hh:mm[:ss] within a day (PostgreSQL also takes 24:00:00, the end of the day). */
function realTime(text: string): boolean {
  const [hours, minutes, seconds = 0] = text.split(/[^\d.]/).filter(Boolean).map(Number) as [number, number, number?];
  if (hours === 24) return minutes === 0 && seconds === 0;
  return hours <= 23 && minutes <= 59 && seconds < 60;
}

export const INT32_MAX = 2_147_483_647;
export const INT32_MIN = -2_147_483_648;

/** Whether a number fits an int4 column. */
export function isInt32(value: number): boolean {
  return Number.isSafeInteger(value) && value >= INT32_MIN && value <= INT32_MAX;
}
