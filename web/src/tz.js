// Wall-clock times in a named IANA zone with the browser's Intl data only.
// FullCalendar runs in UTC mode and is handed wall-clock strings of the
// zone the user picked; these turn them back into instants.

const formatters = new Map();

function formatter(zone) {
  if (!formatters.has(zone)) {
    formatters.set(zone, new Intl.DateTimeFormat('en-US', {
      timeZone: zone, hourCycle: 'h23', year: 'numeric', month: '2-digit', day: '2-digit',
      hour: '2-digit', minute: '2-digit', second: '2-digit',
    }));
  }
  return formatters.get(zone);
}

function parts(ms, zone) {
  const out = {};
  for (const p of formatter(zone).formatToParts(new Date(ms))) out[p.type] = p.value;
  return out;
}

/** "YYYY-MM-DDTHH:MM:SS" of the instant `iso` (or ms) as a clock in `zone` shows it. */
export function wallClock(iso, zone) {
  const p = parts(typeof iso === 'number' ? iso : Date.parse(iso), zone);
  return `${p.year}-${p.month}-${p.day}T${p.hour}:${p.minute}:${p.second}`;
}

function offsetAt(ms, zone) {
  const p = parts(ms, zone);
  return Date.UTC(+p.year, +p.month - 1, +p.day, +p.hour, +p.minute, +p.second) - Math.floor(ms / 1000) * 1000;
}

/** The instant (ms) when clocks in `zone` show `wall` ("YYYY-MM-DDTHH:MM[:SS]"). */
export function instantOf(wall, zone) {
  const [d, t = '00:00:00'] = wall.split('T');
  const [y, mo, da] = d.split('-').map(Number);
  const [h, mi, s = 0] = t.split(':').map(Number);
  const guess = Date.UTC(y, mo - 1, da, h, mi, s);
  let ms = guess - offsetAt(guess, zone);
  ms = guess - offsetAt(ms, zone);  // the offset at the answer, not at the guess (DST)
  return ms;
}

/**
 * The zone whose midnight an all-day listing entry's times are: its own, or
 * UTC for floating dates (the API answers DATE values without a zone at 00:00Z).
 */
export function dayZone(item) {
  return item.time_zone || 'UTC';
}

/** RFC 3339 UTC text of an instant (ms), without milliseconds. */
export function utcText(ms) {
  return new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');
}

/** The wall-clock string FullCalendar (UTC mode) uses for one of its Dates. */
export function fcWall(date) {
  return date.toISOString().slice(0, 19);
}

/** The zones the browser knows, the given one first when missing. */
export function knownZones(current) {
  let zones = [];
  try { zones = Intl.supportedValuesOf('timeZone'); } catch { zones = ['UTC']; }
  if (!zones.includes('UTC')) zones.unshift('UTC');
  if (current && !zones.includes(current)) zones.unshift(current);
  return zones;
}

/** The browser's own zone. */
export function browserZone() {
  return Intl.DateTimeFormat().resolvedOptions().timeZone || 'UTC';
}
