/** The bundle the integration serves: the card, its editor and the dashboard strategy. */

import { CARD_TYPE, HeatpumpStatsCard } from "./card";
import { HeatpumpStatsCardEditor } from "./editor";
import { translator } from "./i18n";
import { HeatpumpStatsStrategy, STRATEGY_TYPE } from "./strategy";

function define(tag: string, element: CustomElementConstructor): void {
  // The module can be loaded twice (a manual resource too): the first definition stays.
  if (!customElements.get(tag)) customElements.define(tag, element);
}

function defineAll(): void {
  define(CARD_TYPE, HeatpumpStatsCard);
  define(`${CARD_TYPE}-editor`, HeatpumpStatsCardEditor);
  define(`ll-strategy-dashboard-${STRATEGY_TYPE}`, HeatpumpStatsStrategy);
}

// Home Assistant's app bundle, when it starts, replaces `window.customElements` with a
// scoped-registry polyfill: a new registry that knows nothing defined before. index.html
// imports this module alongside that bundle, so a definition made first is lost to the
// frontend ("Timeout waiting for strategy element ..."). On a Home Assistant page whose
// app has not started (its <home-assistant> element is not defined yet), wait for it.
// `customElements` is read anew each time: it is the registry in place at that moment.
function appStarting(): boolean {
  return document.querySelector("home-assistant") !== null && !customElements.get("home-assistant");
}

function defineWhenReady(): void {
  if (appStarting()) window.setTimeout(defineWhenReady, 50);
  else defineAll();
}

defineWhenReady();

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
