// The bodies of the portal's routes (PLATFORM.md §8.1), checked with zod before anything touches the database. The
// numbers (the ±delta limit of an adjustment) are the engine's: game.admin_adjust checks them and answers 22023,
// which the handler turns into a 422 like these.
import { z } from "npm:zod@4.6.7";

const reason = z.string().trim().min(1, "give a reason").max(500, "at most 500 characters");

/** POST /account/delete: the confirmation is the whole body; without it 400 (PLATFORM.md §8.1). */
export const deleteAccountBody = z.object({ confirm: z.literal("DELETE") });

/** POST /telegram-link and /admin/conversations/{id}/reprocess take an empty object. */
export const emptyBody = z.strictObject({});

export const resetBody = z.strictObject({ reason });

const delta = z.number().finite();
export const adjustBody = z.strictObject({
  deltas: z.strictObject({
    intimacy: delta.optional(),
    passion: delta.optional(),
    trust: delta.optional(),
    secureness: delta.optional(),
  }).refine((d) => Object.keys(d).length > 0, "give at least one of intimacy, passion, trust, secureness"),
  reason,
});

export type AdjustBody = z.infer<typeof adjustBody>;

/** The issues of a refused body as one message: "deltas.trust: expected number; reason: give a reason". */
export function describeIssues(error: z.ZodError): string {
  return error.issues.map((i) => `${i.path.join(".") || "body"}: ${i.message}`).join("; ");
}
