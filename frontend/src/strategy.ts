/**
 * Dashboard strategy `custom:heatpump-stats`: the dashboard is built each time it is opened,
 * from the entities the entry has then (`heatpump_stats/dashboard`), led by the card.
 *
 * Config: `{"strategy": {"type": "custom:heatpump-stats", "config_entry_id": ..., "period": ...}}`;
 * without `config_entry_id` every heat pump gets a view of its own.
 */

import { CARD_TYPE } from "./card";
import { errorText, language, translator } from "./i18n";
import { DOMAIN, type HomeAssistant, type Period } from "./types";

export const STRATEGY_TYPE = "heatpump-stats";

export interface StrategyConfig {
  type: string;
  config_entry_id?: string;
  period?: Period;
}

interface View {
  path?: string;
  title?: string;
  sections?: Record<string, unknown>[];
  [key: string]: unknown;
}

interface DashboardAnswer {
  entries: { config_entry_id: string; title: string; view: View }[];
}

export class HeatpumpStatsStrategy extends HTMLElement {
  static async generate(config: StrategyConfig, hass: HomeAssistant): Promise<Record<string, unknown>> {
    const t = translator(language(hass));
    const message = (text: string) => ({
      title: t("name"),
      views: [
        {
          type: "sections",
          path: "overview",
          sections: [{ type: "grid", cards: [{ type: "markdown", content: text }] }],
        },
      ],
    });
    let answer: DashboardAnswer;
    try {
      answer = await hass.callWS<DashboardAnswer>({
        type: `${DOMAIN}/dashboard`,
        ...(config.config_entry_id ? { config_entry_id: config.config_entry_id } : {}),
      });
    } catch (err) {
      // E.g. the heat pump's entry was deleted, or the integration is not loaded.
      return message(errorText(language(hass), err));
    }
    if (answer.entries.length === 0) return message(t("pick_entry"));
    const several = answer.entries.length > 1;
    const views = answer.entries.map(({ config_entry_id, title, view }) => ({
      ...view,
      title: several ? title : view.title,
      path: several ? config_entry_id.toLowerCase() : (view.path ?? "overview"),
      sections: [
        {
          type: "grid",
          column_span: 2,
          cards: [
            {
              type: `custom:${CARD_TYPE}`,
              config_entry_id,
              period: config.period ?? "season",
              grid_options: { columns: "full" },
            },
          ],
        },
        ...(view.sections ?? []),
      ],
    }));
    return { title: several ? t("name") : answer.entries[0].title, views };
  }
}
