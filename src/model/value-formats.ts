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
  if ((type === 'timestamp' || type === 'dateTime' || type === 'date') && Number.isNaN(Date.parse(text))) return false;
  return true;
}

export const INT32_MAX = 2_147_483_647;
