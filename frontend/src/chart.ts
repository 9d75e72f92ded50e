/** Small SVG bar charts drawn by the card itself (no chart library). */

import { svg, type SVGTemplateResult } from "lit";

export interface BarValue {
  value: number | null;
  cls: string; // CSS class of the bar (its colour)
  text?: string; // shown above the bar
}

export interface BarGroup {
  label: string;
  values: BarValue[];
  title: string; // tooltip
  markers?: string[]; // change markers (tooltips) above the label
}

const HEIGHT = 130;
const TOP = 16; // room for the value above the tallest bar
const MARKER = 10; // more room above that when a group has change markers
const BOTTOM = 18; // room for the label
const WIDTH = 500; // the card scales the chart to its width
const BAR_MAX = 44; // a few bars stay bars, not blocks
const LABEL_MIN = 22; // closer labels: only every n-th is written

export function barChart(groups: BarGroup[], max?: number): SVGTemplateResult {
  const width = WIDTH;
  const slot = width / Math.max(groups.length, 1);
  const every = Math.ceil(LABEL_MIN / slot);
  const top =
    max ??
    Math.max(
      0,
      ...groups.flatMap((g) => g.values.map((v) => (v.value !== null && v.value > 0 ? v.value : 0))),
    );
  const marked = groups.some((g) => (g.markers ?? []).length > 0);
  const plot = HEIGHT - TOP - (marked ? MARKER : 0) - BOTTOM;
  const scale = top > 0 ? plot / top : 0;
  const base = HEIGHT - BOTTOM;
  return svg`<svg viewBox="0 0 ${width} ${HEIGHT}" role="img" preserveAspectRatio="xMidYMid meet">
    <line class="axis" x1="0" x2="${width}" y1="${base}" y2="${base}"></line>
    ${groups.map((g, i) => {
      const n = g.values.length;
      const inner = Math.min(slot * 0.72, BAR_MAX * n);
      const bar = inner / n;
      const x0 = i * slot + (slot - inner) / 2;
      return svg`<g>
        <title>${g.title}</title>
        ${g.values.map((v, j) => {
          const h = v.value !== null && v.value > 0 ? v.value * scale : 0;
          const x = x0 + j * bar;
          return svg`<rect class="${v.cls}" x="${x + 0.5}" y="${base - h}" width="${Math.max(bar - 1, 1)}" height="${h}" rx="2"></rect>
            ${v.text && i % every === 0 ? svg`<text class="value" x="${x + bar / 2}" y="${base - h - 4}" text-anchor="middle">${v.text}</text>` : ""}`;
        })}
        ${i % every === 0
          ? svg`<text class="label" x="${i * slot + slot / 2}" y="${HEIGHT - 5}" text-anchor="middle">${g.label}</text>`
          : ""}
        ${(g.markers ?? []).length > 0
          ? svg`<path class="marker" d="M ${i * slot + slot / 2 - 4} 1 h 8 l -4 6 z"><title>${(g.markers ?? []).join("\n")}</title></path>`
          : ""}
      </g>`;
    })}
  </svg>`;
}
