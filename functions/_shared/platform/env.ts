// Configuration: parsed once with zod at module load of each function. A missing or malformed variable stops
// the function from starting; the error names the variables, never their values.
import { z } from "npm:zod@4.6.7";

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`invalid configuration: ${problems.join("; ")}`);
    this.name = "ConfigError";
  }
}

/** The variables every function reads (PLATFORM.md §11). Each function extends it with its own. */
export const baseEnvSchema = z.object({
  SUPABASE_DB_URL: z.url(),
  DATABASE_URL: z.url().optional(),
  ENVIRONMENT: z.enum(["development", "test", "production"]).default("development"),
  LOG_LEVEL: z.enum(["debug", "info", "warn", "error"]).default("info"),
});

/** Parses `source` (default: the process environment) with `schema`, or throws a ConfigError. */
export function parseEnv<S extends z.ZodType>(
  schema: S,
  source: Record<string, string | undefined> = Deno.env.toObject(),
): z.infer<S> {
  // An empty variable counts as unset, as `supabase secrets set X=` leaves it.
  const cleaned = Object.fromEntries(Object.entries(source).filter(([, value]) => value !== undefined && value !== ""));
  const result = schema.safeParse(cleaned);
  if (!result.success) {
    throw new ConfigError(
      result.error.issues.map((issue) => {
        const name = issue.path.join(".");
        return cleaned[name] === undefined ? `${name} is missing` : `${name} is invalid (${issue.message})`;
      }),
    );
  }
  return result.data;
}

/** The Postgres URL the backend uses: DATABASE_URL (e.g. the transaction pooler) over the platform's. */
export function databaseUrl(env: { SUPABASE_DB_URL: string; DATABASE_URL?: string | undefined }): string {
  return env.DATABASE_URL ?? env.SUPABASE_DB_URL;
}
