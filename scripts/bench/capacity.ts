// `npm run capacity [figures.json] [out.md]`: docs/capacity.md from the figures of the last `npm run bench`
// (.local/bench-output/figures.json), the game's rates (scripts/simulate/personas.ts, sql/data) and the documented
// platform limits (capacity/limits.ts). `npm run bench` runs it at its end. The model is in capacity/model.ts.
import { ASSUMPTIONS } from "./capacity/assumptions.ts";
import { parseFigures } from "./capacity/figures.ts";
import { loadGameRates } from "./capacity/inputs.ts";
import { computeCapacity } from "./capacity/model.ts";
import { renderCapacity } from "./capacity/render.ts";

const root = new URL("../../", import.meta.url);

export async function writeCapacity(figuresPath: string, outPath: string): Promise<string> {
  const figures = parseFigures(await Deno.readTextFile(figuresPath));
  // The time zones' offsets of the run's own date, so a document always reads the same from the same figures.
  const rates = await loadGameRates(root, new Date(figures.run.started_at));
  const capacity = computeCapacity(figures, rates, ASSUMPTIONS);
  const text = renderCapacity(capacity, figures, rates, ASSUMPTIONS);
  await Deno.writeTextFile(outPath, text);
  return text;
}

if (import.meta.main) {
  const [figuresPath, outPath] = [
    Deno.args[0] ?? new URL(".local/bench-output/figures.json", root).pathname,
    Deno.args[1] ?? new URL("docs/capacity.md", root).pathname,
  ];
  try {
    await Deno.stat(figuresPath);
  } catch {
    console.error(`${figuresPath} does not exist: run \`npm run bench\` first (it writes it)`);
    Deno.exit(1);
  }
  await writeCapacity(figuresPath, outPath);
  console.log(`wrote ${outPath} from ${figuresPath}`);
}
