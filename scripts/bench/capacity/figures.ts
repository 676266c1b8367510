// figures.json as scripts/bench/run writes it (bench_exit): the machine, the run, and one object per row of the
// printed table, found by its key (the label in lowercase, "_" for the rest), never by its label.
import { z } from "npm:zod@4.6.7";

const num = z.number().nullable();

const rowSchema = z.object({
  key: z.string(),
  label: z.string(),
  n: num,
  seconds: num,
  per_second: num,
  p50_ms: num,
  p99_ms: num,
  ratio: num,
  target: z.string(),
  figures: z.record(z.string(), num).default({}),
});

const figuresSchema = z.object({
  machine: z.object({
    cores: z.number().positive(),
    cpu: z.string().default(""),
    postgres: z.string().default(""),
    settings: z.string().default(""),
  }),
  run: z.object({
    started_at: z.string(),
    exit_status: z.number(),
    seconds: num,
    game_clock: z.string().default(""),
    knobs: z.record(z.string(), z.string()).default({}),
  }),
  rows: z.array(rowSchema),
});

export type FigureRow = z.infer<typeof rowSchema>;
export type Figures = z.infer<typeof figuresSchema>;

export function parseFigures(text: string): Figures {
  return figuresSchema.parse(JSON.parse(text));
}

/** A number the model uses: measured (with where it comes from), or missing (with what would have measured it). */
export type Measured = { value: number; from: string } | { value: null; missing: string };

export const isMeasured = (m: Measured): m is { value: number; from: string } => m.value !== null;

/** The row of that key with the most n (the larger of a measure's runs, e.g. decay over 1 M rather than 100 k). */
export function rowOf(figures: Figures, key: string): FigureRow | undefined {
  let best: FigureRow | undefined;
  for (const r of figures.rows) {
    if (r.key === key && (!best || (r.n ?? 0) > (best.n ?? 0))) best = r;
  }
  return best;
}

/** A value read from a row: `read` returns null when the row lacks it. Missing rows and values say so. */
export function measure(
  figures: Figures,
  key: string,
  read: (r: FigureRow) => number | null | undefined,
  how: string,
): Measured {
  const r = rowOf(figures, key);
  if (!r) return { value: null, missing: `no "${key}" row` };
  const v = read(r);
  if (v === null || v === undefined || !Number.isFinite(v) || v < 0) {
    return { value: null, missing: `"${key}" has no ${how}` };
  }
  return { value: v, from: `${r.label}: ${how}` };
}
