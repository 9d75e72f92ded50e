/** The few parts of Home Assistant's frontend objects the card and strategy use. */

export interface HomeAssistant {
  language: string;
  locale?: { language: string };
  themes?: { darkMode?: boolean };
  states: Record<string, { state: string; attributes: Record<string, unknown> }>;
  callWS<T>(msg: Record<string, unknown>): Promise<T>;
}

export type Period = "season" | "year" | "month" | "week" | "day";
export const PERIODS: Period[] = ["season", "year", "month", "week", "day"];

export interface CardConfig {
  type: string;
  config_entry_id?: string;
  period?: Period;
  title?: string;
}

export interface EnergyPart {
  electrical_energy: number | null;
  thermal_energy: number | null;
  cop: number | null;
}

export interface Bin {
  from: number;
  to: number;
  hours: number;
  electrical_energy: number;
  thermal_energy: number;
  cop: number | null;
}

export interface Month {
  month: string; // YYYY-MM
  cop: number | null;
  electrical_energy: number;
  thermal_energy: number;
}

export interface Impact {
  weather_normalized_cop_change_pct: number | null;
  cop_change_pct: number | null;
  confidence: "low" | "medium" | "high";
  reason?: string | null;
}

export interface Change {
  id: number;
  kind: string;
  key: string | null;
  old: string | null;
  new: string | null;
  timestamp: string;
  source: "detected" | "note";
  message: string | null;
  impact: Impact | null;
}

/** The answer of `heatpump_stats/summary` (kWh, °C, minutes, %). */
export interface Summary {
  config_entry_id: string;
  title: string;
  period: Period;
  start: string;
  end: string;
  history: "statistics" | "recorder";
  cop: number | null;
  energy: {
    total: EnergyPart;
    heating: EnergyPart;
    dhw: EnergyPart;
    defrost: {
      electrical_energy: number | null;
      thermal_energy: number | null;
      count: number | null;
      pct_of_electricity: number | null;
    };
  };
  bin_width_k: number | null;
  bins: Bin[];
  compressor_starts: number | null;
  cycles_per_day: number | null;
  run_length_minutes: number | null;
  runs: number;
  run_length_from: string | null;
  carnot_pct: number | null;
  coverage_pct: number | null;
  season: {
    start: string | null;
    cop: number | null;
    months: Month[];
  };
  changes: Change[];
}

export interface ConfigEntry {
  entry_id: string;
  title: string;
  domain: string;
}

export const DOMAIN = "heatpump_stats";
