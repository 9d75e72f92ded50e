/** `custom:heatpump-stats-card`: the season at a glance, from `heatpump_stats/summary`. */

import { LitElement, html, css, nothing, type PropertyValues, type TemplateResult } from "lit";
import { barChart, type BarGroup } from "./chart";
import * as f from "./format";
import {
  errorText,
  fill,
  known,
  language,
  readable,
  settingName,
  settingValue,
  translator,
  type Key,
  type Translate,
} from "./i18n";
import {
  DOMAIN,
  type CardConfig,
  type Change,
  type ConfigEntry,
  type HomeAssistant,
  type Summary,
} from "./types";

export const CARD_TYPE = "heatpump-stats-card";
const REFRESH_MS = 10 * 60 * 1000;

export async function firstEntryId(hass: HomeAssistant): Promise<string | undefined> {
  const entries = await hass.callWS<ConfigEntry[]>({ type: "config_entries/get", domain: DOMAIN });
  return entries[0]?.entry_id;
}

export class HeatpumpStatsCard extends LitElement {
  static properties = {
    _config: { state: true },
    _summary: { state: true },
    _error: { state: true },
  };

  // Not a reactive property: Home Assistant sets `hass` on every state change of any
  // entity, and the card's figures do not depend on states. A new language re-renders.
  private _hass?: HomeAssistant;
  _config?: CardConfig;
  _summary?: Summary;
  _error?: string;
  private _loadedKey?: string;
  private _timer?: number;

  static getConfigElement(): HTMLElement {
    return document.createElement("heatpump-stats-card-editor");
  }

  static async getStubConfig(hass: HomeAssistant): Promise<CardConfig> {
    let entryId: string | undefined;
    try {
      entryId = await firstEntryId(hass);
    } catch {
      entryId = undefined;
    }
    return { type: `custom:${CARD_TYPE}`, config_entry_id: entryId, period: "season" };
  }

  setConfig(config: CardConfig): void {
    // No `hass` yet: the page's language (Home Assistant sets it to the user's).
    const t = translator(this._hass ? language(this._hass) : document.documentElement.lang || navigator.language);
    if (!config || typeof config !== "object") throw new Error(t("invalid_config"));
    if (config.period !== undefined && !["season", "year", "month", "week", "day"].includes(config.period)) {
      throw new Error(fill(t("unknown_period"), { period: config.period }));
    }
    this._config = { period: "season", ...config };
    this._loadedKey = undefined;
  }

  getCardSize(): number {
    return 12;
  }

  getGridOptions(): Record<string, unknown> {
    return { columns: 12, min_columns: 6 };
  }

  get hass(): HomeAssistant | undefined {
    return this._hass;
  }

  set hass(hass: HomeAssistant | undefined) {
    const first = this._hass === undefined;
    const relabel = language(hass) !== language(this._hass);
    this._hass = hass;
    if (first || relabel) this.requestUpdate();
  }

  connectedCallback(): void {
    super.connectedCallback();
    this._timer = window.setInterval(() => void this._load(true), REFRESH_MS);
  }

  disconnectedCallback(): void {
    super.disconnectedCallback();
    if (this._timer !== undefined) window.clearInterval(this._timer);
    this._timer = undefined;
  }

  protected updated(changed: PropertyValues): void {
    super.updated(changed);
    if (this.hass && this._config) {
      const key = `${this._config.config_entry_id ?? ""}|${this._config.period}`;
      if (key !== this._loadedKey) {
        this._loadedKey = key;
        void this._load(false);
      }
    }
  }

  private async _load(quiet: boolean): Promise<void> {
    const hass = this.hass;
    const config = this._config;
    if (!hass || !config) return;
    if (!quiet) {
      this._summary = undefined;
      this._error = undefined;
    }
    try {
      const entryId = config.config_entry_id ?? (await firstEntryId(hass));
      if (entryId === undefined) {
        this._error = translator(language(hass))("pick_entry");
        return;
      }
      this._summary = await hass.callWS<Summary>({
        type: `${DOMAIN}/summary`,
        config_entry_id: entryId,
        period: config.period ?? "season",
      });
      this._error = undefined;
    } catch (err) {
      this._error = errorText(language(hass), err);
    }
  }

  protected render(): TemplateResult {
    const lang = language(this.hass);
    const t = translator(lang);
    const s = this._summary;
    const title = this._config?.title ?? s?.title ?? t("name");
    const period = t(`period_${this._config?.period ?? "season"}` as Key);
    return html`<ha-card>
      <div class="header">
        <div class="title">${title}</div>
        <div class="subtitle">${period}</div>
      </div>
      <div class="content">
        ${this._error
          ? html`<div class="error" data-figure="error">${this._error}</div>`
          : s === undefined
            ? html`<div class="muted">${t("loading")}</div>`
            : this._figures(s, lang, t)}
      </div>
    </ha-card>`;
  }

  private _figures(s: Summary, lang: string, t: Translate): TemplateResult {
    const e = s.energy;
    const noData = e.total.electrical_energy === null || (e.total.electrical_energy ?? 0) <= 0;
    return html`
      <div class="headline">
        <div class="big">
          <span class="value" data-figure="seasonal_cop">${f.cop(lang, s.season.cop)}</span>
          <span class="label">${t("scop")}</span>
        </div>
        ${s.period === "season"
          ? nothing
          : html`<div class="big">
              <span class="value" data-figure="cop">${f.cop(lang, s.cop)}</span>
              <span class="label">${t("cop")} · ${t(`period_${s.period}` as Key)}</span>
            </div>`}
        <div class="small">
          <div><span data-figure="carnot_pct">${f.percent(lang, s.carnot_pct)}</span> ${t("carnot")}</div>
          <div>
            <span data-figure="coverage_pct">${f.percent(lang, s.coverage_pct)}</span> ${t("coverage")}
          </div>
          <div class="muted">${s.history === "statistics" ? t("from_statistics") : t("from_recorder")}</div>
        </div>
      </div>
      ${noData ? html`<div class="muted">${t("no_data")}</div>` : nothing}
      ${this._energyTable(s, lang, t)}
      <div class="facts">
        ${s.cycles_per_day === null && s.compressor_starts !== null
          ? html`<div>
              <span class="value" data-figure="compressor_starts">${f.number(lang, s.compressor_starts, 0)}</span>
              <span class="label">${t("compressor_starts")}</span>
              <span class="label" data-figure="cycles_hint">${t("cycles_after_a_day")}</span>
            </div>`
          : html`<div>
              <span class="value" data-figure="cycles_per_day">${f.perDay(lang, s.cycles_per_day)}</span>
              <span class="label">${t("cycles_per_day")}</span>
            </div>`}
        <div>
          <span class="value" data-figure="run_length">${f.minutes(lang, s.run_length_minutes)}</span>
          <span class="label"
            >${t("run_length")}${s.run_length_from !== null ? html` (${t("run_length_recent")})` : nothing}</span
          >
          ${s.run_length_minutes === null
            ? html`<span class="label" data-figure="run_length_hint">${t("run_length_none")}</span>`
            : nothing}
        </div>
        ${s.energy.defrost.count === null
          ? nothing
          : html`<div>
              <span class="value" data-figure="defrosts">${s.energy.defrost.count}</span>
              <span class="label">${t("defrosts")}</span>
            </div>`}
      </div>
      ${this._months(s, lang, t)} ${this._bins(s, lang, t)} ${this._changes(s, lang, t)}
    `;
  }

  private _energyTable(s: Summary, lang: string, t: Translate): TemplateResult {
    const e = s.energy;
    const heatTotal = e.total.thermal_energy ?? 0;
    const share = (v: number | null) => (heatTotal > 0 && v !== null ? Math.max(0, (100 * v) / heatTotal) : 0);
    const row = (key: string, label: string, part: { electrical_energy: number | null; thermal_energy: number | null; cop: number | null }) =>
      html`<tr data-purpose="${key}">
        <th>${label}</th>
        <td data-figure="${key}_thermal_energy">${f.energy(lang, part.thermal_energy)}</td>
        <td data-figure="${key}_electrical_energy">${f.energy(lang, part.electrical_energy)}</td>
        <td data-figure="${key}_cop">${f.cop(lang, part.cop)}</td>
      </tr>`;
    return html`
      <div class="split" aria-hidden="true">
        <div class="heating" style="width:${share(e.heating.thermal_energy)}%"></div>
        <div class="dhw" style="width:${share(e.dhw.thermal_energy)}%"></div>
      </div>
      <table class="energy">
        <thead>
          <tr>
            <th>${t("purpose")}</th>
            <th>${t("heat")}</th>
            <th>${t("electricity")}</th>
            <th>${t("cop")}</th>
          </tr>
        </thead>
        <tbody>
          ${row("heating", t("heating"), e.heating)} ${row("dhw", t("dhw"), e.dhw)}
          <tr data-purpose="defrost" class="sub">
            <th>${t("defrost")}</th>
            <td data-figure="defrost_thermal_energy">${f.energy(lang, e.defrost.thermal_energy)}</td>
            <td data-figure="defrost_electrical_energy">
              ${f.energy(lang, e.defrost.electrical_energy)}${e.defrost.pct_of_electricity !== null
                ? html` <span class="muted">(${f.percent(lang, e.defrost.pct_of_electricity)})</span>`
                : nothing}
            </td>
            <td></td>
          </tr>
          ${row("total", t("total"), e.total)}
        </tbody>
      </table>
    `;
  }

  private _changeText(c: Change, lang: string, t: Translate): string {
    const kind = known(`kind_${c.kind}`) ? t(`kind_${c.kind}` as Key) : readable(c.kind);
    if (c.source === "note") return c.message ? `${kind}: ${c.message}` : kind;
    // As the logbook writes it: "Heating curve slope: 0,8 → 0,7" (the kind only without a key).
    const what = c.key ? settingName(lang, c.key) : kind;
    return `${what}: ${settingValue(lang, c.old)} → ${settingValue(lang, c.new)}`;
  }

  private _months(s: Summary, lang: string, t: Translate): TemplateResult | typeof nothing {
    const months = s.season.months;
    if (months.length === 0) return nothing;
    const markers = new Map<string, string[]>();
    for (const c of s.changes) {
      const d = new Date(c.timestamp);
      const key = `${d.getFullYear()}-${String(d.getMonth() + 1).padStart(2, "0")}`;
      markers.set(key, [...(markers.get(key) ?? []), `${f.date(lang, c.timestamp)}: ${this._changeText(c, lang, t)}`]);
    }
    const groups: BarGroup[] = months.map((m) => ({
      label: f.monthName(lang, m.month),
      values: [{ value: m.cop, cls: "bar-cop", text: f.cop(lang, m.cop) }],
      title: `${f.monthName(lang, m.month)}: ${t("cop")} ${f.cop(lang, m.cop)} · ${t("heat")} ${f.energy(lang, m.thermal_energy)} · ${t("electricity")} ${f.energy(lang, m.electrical_energy)}`,
      markers: markers.get(m.month),
    }));
    return html`<div class="chart" data-chart="months">
      <div class="chart-title">${t("months")}</div>
      ${barChart(groups)}
    </div>`;
  }

  private _bins(s: Summary, lang: string, t: Translate): TemplateResult | typeof nothing {
    const bins = s.bins.filter((b) => b.electrical_energy > 0 || b.thermal_energy > 0);
    if (bins.length === 0) return nothing;
    const label = (b: { from: number }) => f.number(lang, b.from, 0);
    const range = (b: { from: number; to: number }) => `${f.temperature(lang, b.from)} … ${f.temperature(lang, b.to)}`;
    const cop: BarGroup[] = bins.map((b) => ({
      label: label(b),
      values: [{ value: b.cop, cls: "bar-cop", text: f.cop(lang, b.cop) }],
      title: `${range(b)}: ${t("cop")} ${f.cop(lang, b.cop)}`,
    }));
    const energy: BarGroup[] = bins.map((b) => ({
      label: label(b),
      values: [
        { value: b.thermal_energy, cls: "bar-heat" },
        { value: b.electrical_energy, cls: "bar-electricity" },
      ],
      title: `${range(b)}: ${t("heat")} ${f.energy(lang, b.thermal_energy)} · ${t("electricity")} ${f.energy(lang, b.electrical_energy)}`,
    }));
    return html`<div class="chart" data-chart="bins_cop">
        <div class="chart-title">${t("bins_cop")} (°C)</div>
        ${barChart(cop)}
      </div>
      <div class="chart" data-chart="bins_energy">
        <div class="chart-title">
          ${t("bins_energy")} (°C)
          <span class="legend"><i class="bar-heat"></i>${t("heat")} <i class="bar-electricity"></i>${t("electricity")}</span>
        </div>
        ${barChart(energy)}
      </div>`;
  }

  private _changes(s: Summary, lang: string, t: Translate): TemplateResult {
    const shown = [...s.changes].reverse().slice(0, 5);
    return html`<div class="changes">
      <div class="chart-title">${t("changes")}</div>
      ${shown.length === 0
        ? html`<div class="muted">${t("no_changes")}</div>`
        : html`<ul>
            ${shown.map((c) => {
              const i = c.impact;
              const known = i !== null && i.weather_normalized_cop_change_pct !== null;
              return html`<li data-change="${c.id}">
                <span class="when">${f.dateTime(lang, c.timestamp)}</span>
                <span class="what">${this._changeText(c, lang, t)}</span>
                <span class="source muted">${t(`source_${c.source}` as Key)}</span>
                <span class="impact">
                  ${known
                    ? html`${t("impact")}: <b>${f.signedPercent(lang, i!.weather_normalized_cop_change_pct)}</b> ·
                        ${t(`confidence_${i!.confidence}` as Key)}`
                    : html`<span class="muted">${t("impact_pending")}</span>`}
                </span>
              </li>`;
            })}
          </ul>`}
    </div>`;
  }

  static styles = css`
    :host {
      --hps-heat: var(--hps-heat-color, var(--orange-color, #ff9800));
      --hps-electricity: var(--hps-electricity-color, var(--blue-color, #2196f3));
      --hps-dhw: var(--hps-dhw-color, var(--red-color, #f44336));
      --hps-cop: var(--hps-cop-color, var(--primary-color, #03a9f4));
    }
    ha-card {
      height: 100%;
      box-sizing: border-box;
    }
    .header {
      display: flex;
      align-items: baseline;
      justify-content: space-between;
      gap: 8px;
      padding: 16px 16px 0;
    }
    .title {
      font-size: var(--ha-card-header-font-size, 1.3em);
      color: var(--ha-card-header-color, var(--primary-text-color));
    }
    .subtitle,
    .muted,
    .label,
    .chart-title {
      color: var(--secondary-text-color);
    }
    .content {
      padding: 8px 16px 16px;
      color: var(--primary-text-color);
    }
    .error {
      color: var(--error-color, #db4437);
    }
    .headline {
      display: flex;
      flex-wrap: wrap;
      align-items: flex-end;
      gap: 8px 24px;
      margin-bottom: 12px;
    }
    .big {
      display: flex;
      flex-direction: column;
    }
    .big .value {
      font-size: 2.4em;
      line-height: 1.1;
      font-weight: 500;
    }
    .small {
      margin-left: auto;
      text-align: right;
      font-size: 0.9em;
    }
    .split {
      display: flex;
      height: 6px;
      border-radius: 3px;
      overflow: hidden;
      background: var(--divider-color);
      margin: 4px 0 8px;
    }
    .split .heating {
      background: var(--hps-heat);
    }
    .split .dhw {
      background: var(--hps-dhw);
    }
    table.energy {
      width: 100%;
      border-collapse: collapse;
      font-variant-numeric: tabular-nums;
    }
    table.energy th,
    table.energy td {
      padding: 3px 4px;
      text-align: right;
      font-weight: normal;
      border-bottom: 1px solid var(--divider-color);
    }
    table.energy th:first-child {
      text-align: left;
    }
    table.energy thead th {
      color: var(--secondary-text-color);
      font-size: 0.85em;
    }
    table.energy tr.sub th {
      padding-left: 16px;
      color: var(--secondary-text-color);
    }
    table.energy tr[data-purpose="total"] th,
    table.energy tr[data-purpose="total"] td {
      font-weight: 500;
      border-bottom: none;
    }
    .facts {
      display: flex;
      flex-wrap: wrap;
      gap: 8px 24px;
      margin: 12px 0;
    }
    .facts > div {
      display: flex;
      flex-direction: column;
    }
    .facts .value {
      font-size: 1.4em;
    }
    .facts .label {
      font-size: 0.85em;
    }
    .chart {
      margin-top: 12px;
    }
    .chart svg {
      width: 100%;
      height: auto;
      display: block;
    }
    svg .axis {
      stroke: var(--divider-color);
    }
    svg text {
      font-size: 10px;
      fill: var(--secondary-text-color);
    }
    svg text.value {
      fill: var(--primary-text-color);
    }
    svg .bar-cop {
      fill: var(--hps-cop);
    }
    svg .bar-heat {
      fill: var(--hps-heat);
    }
    svg .bar-electricity {
      fill: var(--hps-electricity);
    }
    svg .marker {
      fill: var(--warning-color, #ffa600);
    }
    .legend {
      float: right;
      font-size: 0.85em;
    }
    .legend i {
      display: inline-block;
      width: 10px;
      height: 10px;
      border-radius: 2px;
      margin: 0 4px 0 8px;
    }
    .legend i.bar-heat {
      background: var(--hps-heat);
    }
    .legend i.bar-electricity {
      background: var(--hps-electricity);
    }
    .changes {
      margin-top: 12px;
    }
    .changes ul {
      list-style: none;
      margin: 4px 0 0;
      padding: 0;
    }
    .changes li {
      display: flex;
      flex-wrap: wrap;
      gap: 0 8px;
      padding: 4px 0;
      border-bottom: 1px solid var(--divider-color);
    }
    .changes li:last-child {
      border-bottom: none;
    }
    .changes .when {
      color: var(--secondary-text-color);
      font-variant-numeric: tabular-nums;
    }
    .changes .source {
      font-size: 0.85em;
    }
    .changes .impact {
      flex-basis: 100%;
      font-size: 0.9em;
    }
  `;
}
