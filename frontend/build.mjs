// Bundles src/ into the file the integration serves (or into the path given, for the
// staleness check): `node build.mjs [outfile]`. The output depends only on the sources
// and the locked packages, so a fresh build equals the committed bundle byte for byte.
import { build } from "esbuild";

const outfile = process.argv[2] ?? "../custom_components/heatpump_stats/frontend/heatpump-stats-card.js";

await build({
  entryPoints: ["src/index.ts"],
  bundle: true,
  format: "esm",
  target: "es2021",
  minify: true,
  legalComments: "eof",
  charset: "utf8",
  outfile,
  logLevel: "warning",
});
