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
  compressor_starts: "Compressor starts",
  cycles_after_a_day: "per day after a day of data",
  run_length: "Mean run length",
  run_length_recent: "last 7 days",
  run_length_none: "no completed run yet",
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
  source_detected: "detected",
  source_note: "note",
  on: "on",
  off: "off",
  circuit: "circuit",
  invalid_config: "Invalid card configuration",
  unknown_period: "Unknown period: {period} (season, year, month, week or day)",
  error_card_entry_not_found: "There is no Heat Pump Stats entry {entry_id} to show.",
  error_card_recorder_unavailable: "The figures need Home Assistant's recorder, which is not running or is migrating its database.",
  error_card_history_error: "The figures cannot be read from the recorder: {error}",
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
  compressor_starts: "Verdichterstarts",
  cycles_after_a_day: "pro Tag nach einem Tag mit Daten",
  run_length: "Mittlere Laufzeit",
  run_length_recent: "letzte 7 Tage",
  run_length_none: "noch kein abgeschlossener Lauf",
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
  source_detected: "erkannt",
  source_note: "Notiz",
  on: "ein",
  off: "aus",
  circuit: "Heizkreis",
  invalid_config: "Ungültige Kartenkonfiguration",
  unknown_period: "Unbekannter Zeitraum: {period} (season, year, month, week oder day)",
  error_card_entry_not_found: "Es gibt keinen Heat-Pump-Stats-Eintrag {entry_id}, der angezeigt werden kann.",
  error_card_recorder_unavailable: "Die Zahlen brauchen den Recorder von Home Assistant, der nicht läuft oder seine Datenbank migriert.",
  error_card_history_error: "Die Zahlen können nicht aus dem Recorder gelesen werden: {error}",
};

const TABLES: Record<string, Record<Key, string>> = { en, de };

/**
 * The change log's setting keys (as the sources report them, without a circuit suffix),
 * in English and German.
 */
const SETTINGS: Record<string, { en: string; de: string }> = {
  heating_curve_slope: { en: "Heating curve slope", de: "Heizkurve Neigung" },
  heating_curve_shift: { en: "Heating curve shift", de: "Heizkurve Niveau" },
  heating_curve_rise: { en: "Heating curve slope", de: "Heizkurve Steigung" },
  heating_curve: { en: "Heating curve", de: "Heizkurve" },
  heating_curve_2: { en: "Heating curve 2", de: "Heizkurve 2" },
  heating_curve_offset: { en: "Heating curve offset", de: "Heizkurve Verschiebung" },
  heating_curve_end_point: { en: "Heating curve end point", de: "Heizkurve Endpunkt" },
  heating_curve_parallel_shift: { en: "Heating curve parallel shift", de: "Heizkurve Parallelverschiebung" },
  heating_curve_night_setback: { en: "Night setback", de: "Nachtabsenkung" },
  heating_temperature_offset: { en: "Heating temperature offset", de: "Heiztemperatur-Korrektur" },
  heating_limit_temperature: { en: "Heating limit temperature", de: "Heizgrenztemperatur" },
  heating_setpoint: { en: "Heating setpoint", de: "Heizungs-Sollwert" },
  heating_schedule: { en: "Heating schedule", de: "Heizzeitprogramm" },
  heating_mode: { en: "Heating mode", de: "Betriebsart Heizung" },
  comfort_temperature: { en: "Comfort temperature", de: "Komforttemperatur" },
  reduced_temperature: { en: "Reduced temperature", de: "Reduzierte Temperatur" },
  eco_temperature: { en: "Eco temperature", de: "Eco-Temperatur" },
  normal_temperature: { en: "Normal temperature", de: "Normaltemperatur" },
  current_desired_temperature: { en: "Desired room temperature", de: "Raum-Solltemperatur" },
  room_temperature_setpoint: { en: "Room temperature setpoint", de: "Raum-Sollwert" },
  room_sensor_influence: { en: "Room sensor influence", de: "Raumfühlereinfluss" },
  summer_mode_temperature: { en: "Summer mode temperature", de: "Sommerbetrieb ab" },
  holiday_hours: { en: "Holiday hours", de: "Urlaubsstunden" },
  operating_program: { en: "Operating program", de: "Betriebsprogramm" },
  operating_mode: { en: "Operating mode", de: "Betriebsart" },
  cooling_mode: { en: "Cooling mode", de: "Betriebsart Kühlung" },
  dhw_target_temperature: { en: "Hot water target temperature", de: "Warmwasser-Solltemperatur" },
  dhw_setpoint: { en: "Hot water setpoint", de: "Warmwasser-Sollwert" },
  dhw_comfort_temperature: { en: "Hot water comfort temperature", de: "Warmwasser-Komforttemperatur" },
  dhw_eco_temperature: { en: "Hot water eco temperature", de: "Warmwasser-Eco-Temperatur" },
  dhw_hysteresis: { en: "Hot water hysteresis", de: "Warmwasser-Hysterese" },
  dhw_difference: { en: "Hot water difference", de: "Warmwasser-Differenz" },
  dhw_start_temperature: { en: "Hot water start temperature", de: "Warmwasser-Starttemperatur" },
  dhw_stop_temperature: { en: "Hot water stop temperature", de: "Warmwasser-Stopptemperatur" },
  dhw_schedule: { en: "Hot water schedule", de: "Warmwasser-Zeitprogramm" },
  dhw_mode: { en: "Hot water mode", de: "Betriebsart Warmwasser" },
  dhw_operating_mode: { en: "Hot water mode", de: "Betriebsart Warmwasser" },
  circulation_schedule: { en: "Circulation schedule", de: "Zirkulations-Zeitprogramm" },
};

/** Values of programs and modes. */
const VALUES: Record<string, { en: string; de: string }> = {
  normal: { en: "normal", de: "Normal" },
  comfort: { en: "comfort", de: "Komfort" },
  reduced: { en: "reduced", de: "Reduziert" },
  eco: { en: "eco", de: "Eco" },
  automatic: { en: "automatic", de: "Automatik" },
  party: { en: "party", de: "Party" },
  holidays: { en: "holidays", de: "Urlaub" },
  standby: { en: "standby", de: "Bereitschaft" },
  heating: { en: "heating", de: "Heizen" },
  dhw: { en: "hot water", de: "Warmwasser" },
  dhw_and_heating: { en: "hot water and heating", de: "Warmwasser und Heizen" },
  second_heatsource: { en: "second heat source", de: "Zweiter Wärmeerzeuger" },
};

export type Translate = (key: Key) => string;

/** A key no table has, as a person reads it: "dhw_boost_mode" -> "Dhw boost mode". */
export function readable(key: string): string {
  const text = key.replace(/_/g, " ").replace(/\s+/g, " ").trim();
  return text.charAt(0).toUpperCase() + text.slice(1);
}

function base(lang: string): string {
  return lang.split("-")[0].toLowerCase();
}

/**
 * The name of a setting key in `lang`. A circuit suffix (`_circuit_1`, `_hc1`) is named
 * after the setting: "Heating curve slope (circuit 1)". Unknown keys read as words.
 */
export function settingName(lang: string, key: string): string {
  const t = translator(lang);
  const circuit = /^(.*?)_(?:circuit_?|hc)(\d+)$/.exec(key);
  const [name, number] = circuit ? [circuit[1], circuit[2]] : [key, undefined];
  const known = SETTINGS[name];
  const text = known === undefined ? readable(name) : base(lang) === "de" ? known.de : known.en;
  return number === undefined ? text : `${text} (${t("circuit")} ${number})`;
}

/**
 * A setting's value in `lang`: numbers in the locale's way, booleans as on/off, program
 * and mode names translated (unknown ones as words); times and schedules as they are.
 */
export function settingValue(lang: string, value: string | null): string {
  if (value === null || value === "") return "?";
  if (/^-?\d+(\.\d+)?$/.test(value)) {
    const decimals = value.includes(".") ? value.split(".")[1].length : 0;
    return new Intl.NumberFormat(lang, { minimumFractionDigits: decimals, maximumFractionDigits: decimals }).format(
      Number(value),
    );
  }
  const t = translator(lang);
  if (value === "true" || value === "on") return t("on");
  if (value === "false" || value === "off") return t("off");
  if (!/^[a-z][a-z0-9_]*$/.test(value)) return value;
  const known = VALUES[value];
  if (known !== undefined) return base(lang) === "de" ? known.de : known.en;
  return value.includes("_") ? readable(value).toLowerCase() : value;
}

/** A text with `{name}` placeholders filled in (unknown ones left as they are). */
export function fill(text: string, values: Record<string, unknown> | undefined): string {
  return text.replace(/\{(\w+)\}/g, (whole, name: string) =>
    values !== undefined && name in values ? String(values[name]) : whole,
  );
}

export function language(hass: { language: string; locale?: { language: string } } | undefined): string {
  return hass?.locale?.language ?? hass?.language ?? "en";
}

export function translator(lang: string): Translate {
  const table = TABLES[base(lang)] ?? en;
  // A key built from data (a new kind or confidence) that no table has reads as words.
  return (key: Key) => table[key] ?? en[key] ?? readable(key);
}

/** Whether the tables have `key` (for keys built from data). */
export function known(key: string): key is Key {
  return key in en;
}

/**
 * What a failed request says, in `lang`: the card's own text of the server's translation
 * key (with its placeholders), else the server's message.
 */
export function errorText(lang: string, err: unknown): string {
  const t = translator(lang);
  const e = (err ?? {}) as { message?: string; translation_key?: string; translation_placeholders?: Record<string, unknown> };
  const key = `error_${e.translation_key ?? ""}`;
  const message = known(key) ? fill(t(key), e.translation_placeholders) : (e.message ?? String(err));
  return `${t("error")}: ${message}`;
}
