/**
 * Numbers rounded the way a person reads them, in the user's locale.
 *
 * COP: one decimal. Energy: kWh with no decimals from 100 kWh, one from 1 kWh,
 * two below; MWh with one decimal from 10 000 kWh. Percentages: no decimals
 * from 10 %, one below. Run length: minutes below an hour, else hours and
 * minutes. Missing figures show as an en dash.
 */

export const NONE = "–";

const formatters = new Map<string, Intl.NumberFormat>();

function fmt(locale: string, decimals: number): Intl.NumberFormat {
  const key = `${locale}|${decimals}`;
  let f = formatters.get(key);
  if (f === undefined) {
    f = new Intl.NumberFormat(locale, {
      minimumFractionDigits: decimals,
      maximumFractionDigits: decimals,
    });
    formatters.set(key, f);
  }
  return f;
}

function ok(value: number | null | undefined): value is number {
  return typeof value === "number" && Number.isFinite(value);
}

export function number(locale: string, value: number | null | undefined, decimals: number): string {
  return ok(value) ? fmt(locale, decimals).format(value) : NONE;
}

export function cop(locale: string, value: number | null | undefined): string {
  return number(locale, value, 1);
}

export function energy(locale: string, kwh: number | null | undefined): string {
  if (!ok(kwh)) return NONE;
  const size = Math.abs(kwh);
  if (size >= 10000) return `${fmt(locale, 1).format(kwh / 1000)} MWh`;
  const decimals = size >= 100 ? 0 : size >= 1 ? 1 : 2;
  return `${fmt(locale, decimals).format(kwh)} kWh`;
}

export function percent(locale: string, value: number | null | undefined): string {
  if (!ok(value)) return NONE;
  return `${fmt(locale, Math.abs(value) >= 10 ? 0 : 1).format(value)} %`;
}

export function signedPercent(locale: string, value: number | null | undefined): string {
  if (!ok(value)) return NONE;
  const text = percent(locale, value);
  return value > 0 ? `+${text}` : text;
}

export function perDay(locale: string, value: number | null | undefined): string {
  if (!ok(value)) return NONE;
  return fmt(locale, value >= 10 ? 0 : 1).format(value);
}

export function minutes(locale: string, value: number | null | undefined): string {
  if (!ok(value)) return NONE;
  const total = Math.round(value);
  if (total < 60) return `${total} min`;
  const h = Math.floor(total / 60);
  const m = total % 60;
  return m === 0 ? `${fmt(locale, 0).format(h)} h` : `${fmt(locale, 0).format(h)} h ${m} min`;
}

export function temperature(locale: string, value: number): string {
  return `${fmt(locale, Number.isInteger(value) ? 0 : 1).format(value)} °C`;
}

export function monthName(locale: string, month: string): string {
  const [year, mon] = month.split("-").map(Number);
  return new Intl.DateTimeFormat(locale, { month: "short", timeZone: "UTC" }).format(
    new Date(Date.UTC(year, mon - 1, 1)),
  );
}

export function dateTime(locale: string, iso: string): string {
  return new Intl.DateTimeFormat(locale, { dateStyle: "medium", timeStyle: "short" }).format(
    new Date(iso),
  );
}

export function date(locale: string, iso: string): string {
  return new Intl.DateTimeFormat(locale, { dateStyle: "medium" }).format(new Date(iso));
}
