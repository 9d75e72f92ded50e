/** The card's words in English and German; the language follows the user's profile. */

const en = {
  name: "Heat pump statistics",
  description: "Seasonal COP, energy by purpose, COP by outdoor temperature and the change log",
  period_season: "This heating season",
  period_year: "This year",
  period_month: "This month",
  period_week: "This week",
  period_day: "Today",
  scop: "Seasonal COP",
  cop: "COP",
  carnot: "of Carnot",
  coverage: "data coverage",
  heat: "Heat",
  electricity: "Electricity",
  purpose: "Purpose",
  heating: "Space heating",
  dhw: "Hot water",
  defrost: "Defrost",
  total: "Total",
  defrosts: "defrosts",
  months: "Seasonal COP per month",
  bins_cop: "COP by outdoor temperature",
  bins_energy: "Heat and electricity by outdoor temperature",
  cycles_per_day: "Compressor starts per day",
  run_length: "Mean run length",
  run_length_recent: "last 7 days",
  changes: "Changes",
  no_changes: "No changes in this period.",
  impact: "COP change (weather-normalised)",
  impact_pending: "impact not known yet",
  confidence_low: "low confidence",
  confidence_medium: "medium confidence",
  confidence_high: "high confidence",
  from_statistics: "from long-term statistics",
  from_recorder: "from the recorder",
  no_data: "No history for this period yet.",
  loading: "Loading…",
  error: "The figures cannot be loaded",
  pick_entry: "Add a heat pump in Settings → Devices & services first.",
  editor_entry: "Heat pump",
  editor_period: "Period",
  editor_title: "Title (optional)",
  kind_setpoint_changed: "Setpoint",
  kind_schedule_changed: "Schedule",
  kind_mode_changed: "Mode",
  kind_note_added: "Note",
};

export type Key = keyof typeof en;

const de: Record<Key, string> = {
  name: "Wärmepumpen-Statistik",
  description: "Jahresarbeitszahl, Energie nach Zweck, COP nach Außentemperatur und das Änderungsprotokoll",
  period_season: "Diese Heizsaison",
  period_year: "Dieses Jahr",
  period_month: "Dieser Monat",
  period_week: "Diese Woche",
  period_day: "Heute",
  scop: "Jahresarbeitszahl",
  cop: "COP",
  carnot: "von Carnot",
  coverage: "Datenabdeckung",
  heat: "Wärme",
  electricity: "Strom",
  purpose: "Zweck",
  heating: "Raumheizung",
  dhw: "Warmwasser",
  defrost: "Abtauen",
  total: "Gesamt",
  defrosts: "Abtauungen",
  months: "Arbeitszahl je Monat",
  bins_cop: "COP nach Außentemperatur",
  bins_energy: "Wärme und Strom nach Außentemperatur",
  cycles_per_day: "Verdichterstarts pro Tag",
  run_length: "Mittlere Laufzeit",
  run_length_recent: "letzte 7 Tage",
  changes: "Änderungen",
  no_changes: "Keine Änderungen in diesem Zeitraum.",
  impact: "COP-Änderung (wetterbereinigt)",
  impact_pending: "Wirkung noch nicht bekannt",
  confidence_low: "geringe Sicherheit",
  confidence_medium: "mittlere Sicherheit",
  confidence_high: "hohe Sicherheit",
  from_statistics: "aus der Langzeitstatistik",
  from_recorder: "aus dem Verlauf",
  no_data: "Für diesen Zeitraum gibt es noch keinen Verlauf.",
  loading: "Wird geladen…",
  error: "Die Zahlen können nicht geladen werden",
  pick_entry: "Füge zuerst unter Einstellungen → Geräte & Dienste eine Wärmepumpe hinzu.",
  editor_entry: "Wärmepumpe",
  editor_period: "Zeitraum",
  editor_title: "Titel (optional)",
  kind_setpoint_changed: "Sollwert",
  kind_schedule_changed: "Zeitprogramm",
  kind_mode_changed: "Betriebsart",
  kind_note_added: "Notiz",
};

const TABLES: Record<string, Record<Key, string>> = { en, de };

export type Translate = (key: Key) => string;

export function language(hass: { language: string; locale?: { language: string } } | undefined): string {
  return hass?.locale?.language ?? hass?.language ?? "en";
}

export function translator(lang: string): Translate {
  const table = TABLES[lang.split("-")[0].toLowerCase()] ?? en;
  return (key: Key) => table[key] ?? en[key];
}
