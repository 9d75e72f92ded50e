/** The bundle the integration serves: the card, its editor and the dashboard strategy. */

import { CARD_TYPE, HeatpumpStatsCard } from "./card";
import { HeatpumpStatsCardEditor } from "./editor";
import { translator } from "./i18n";
import { HeatpumpStatsStrategy, STRATEGY_TYPE } from "./strategy";

function define(tag: string, element: CustomElementConstructor): void {
  // The module can be loaded twice (a manual resource too): the first definition stays.
  if (!customElements.get(tag)) customElements.define(tag, element);
}

define(CARD_TYPE, HeatpumpStatsCard);
define(`${CARD_TYPE}-editor`, HeatpumpStatsCardEditor);
define(`ll-strategy-dashboard-${STRATEGY_TYPE}`, HeatpumpStatsStrategy);

interface CustomCardInfo {
  type: string;
  name: string;
  description: string;
  preview?: boolean;
  documentationURL?: string;
}

const w = window as unknown as { customCards?: CustomCardInfo[] };
w.customCards = w.customCards ?? [];
if (!w.customCards.some((c) => c.type === CARD_TYPE)) {
  const t = translator(navigator.language ?? "en");
  w.customCards.push({
    type: CARD_TYPE,
    name: t("name"),
    description: t("description"),
    preview: true,
    documentationURL: "https://github.com/heatpump-stats/heatpump_stats#the-card",
  });
}
