/** The card's visual editor: a picker of the integration's entries and the period. */

import { LitElement, html, type TemplateResult } from "lit";
import { language, translator, type Key } from "./i18n";
import { DOMAIN, PERIODS, type CardConfig, type ConfigEntry, type HomeAssistant } from "./types";

export class HeatpumpStatsCardEditor extends LitElement {
  static properties = {
    hass: { attribute: false },
    _config: { state: true },
    _entries: { state: true },
  };

  hass?: HomeAssistant;
  _config?: CardConfig;
  _entries?: ConfigEntry[];

  setConfig(config: CardConfig): void {
    this._config = config;
  }

  protected updated(): void {
    if (this.hass && this._entries === undefined) {
      this._entries = [];
      this.hass
        .callWS<ConfigEntry[]>({ type: "config_entries/get", domain: DOMAIN })
        .then((entries) => (this._entries = entries))
        .catch(() => undefined);
    }
  }

  private _schema(t: (key: Key) => string): unknown[] {
    return [
      { name: "config_entry_id", required: true, selector: { config_entry: { integration: DOMAIN } } },
      {
        name: "period",
        selector: {
          select: {
            mode: "dropdown",
            options: PERIODS.map((p) => ({ value: p, label: t(`period_${p}` as Key) })),
          },
        },
      },
      { name: "title", selector: { text: {} } },
    ];
  }

  private _changed(config: CardConfig): void {
    this._config = config;
    this.dispatchEvent(new CustomEvent("config-changed", { detail: { config }, bubbles: true, composed: true }));
  }

  protected render(): TemplateResult {
    if (!this.hass || !this._config) return html``;
    const t = translator(language(this.hass));
    const labels: Record<string, Key> = {
      config_entry_id: "editor_entry",
      period: "editor_period",
      title: "editor_title",
    };
    const data = { period: "season", ...this._config };
    if (customElements.get("ha-form")) {
      return html`<ha-form
        .hass=${this.hass}
        .data=${data}
        .schema=${this._schema(t)}
        .computeLabel=${(s: { name: string }) => t(labels[s.name])}
        @value-changed=${(ev: CustomEvent<{ value: CardConfig }>) => {
          const value = { ...ev.detail.value };
          if (!value.title) delete value.title;
          this._changed(value);
        }}
      ></ha-form>`;
    }
    // Without the frontend's form element (it is loaded lazily): plain selects.
    return html`<label>
        ${t("editor_entry")}
        <select
          @change=${(ev: Event) =>
            this._changed({ ...this._config!, config_entry_id: (ev.target as HTMLSelectElement).value })}
        >
          ${(this._entries ?? []).map(
            (e) => html`<option value=${e.entry_id} ?selected=${e.entry_id === data.config_entry_id}>${e.title}</option>`,
          )}
        </select>
      </label>
      <label>
        ${t("editor_period")}
        <select
          @change=${(ev: Event) =>
            this._changed({ ...this._config!, period: (ev.target as HTMLSelectElement).value as CardConfig["period"] })}
        >
          ${PERIODS.map((p) => html`<option value=${p} ?selected=${p === data.period}>${t(`period_${p}` as Key)}</option>`)}
        </select>
      </label>`;
  }
}
