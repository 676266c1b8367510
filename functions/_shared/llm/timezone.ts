// City to IANA timezone for onboarding (PLATFORM.md §2.5): a city whose name is a zone's ("Berlin, Germany" ->
// Europe/Berlin) is answered without a model call; otherwise one forced resolve_timezone call to the summary
// model. The caller checks the answer against pg_timezone_names.
import { z } from "npm:zod@4.6.7";
import { type ModelClient, schemaTool } from "./client.ts";

export const TIMEZONE_TIMEOUT_MS = 30_000;

const TIMEZONE_TOOL = schemaTool(
  "resolve_timezone",
  "The IANA timezone of a city, or null when it cannot be told.",
  z.object({ timezone: z.string().max(64).nullable().describe("An IANA name such as Europe/Berlin") }),
);

export function timezoneByCityName(city: string): string | null {
  const name = city.split(",")[0]!.trim().replace(/\s+/g, "_").toLowerCase();
  if (!name) return null;
  const zones = (Intl as unknown as { supportedValuesOf(key: string): string[] }).supportedValuesOf("timeZone");
  return zones.find((z) => z.toLowerCase().endsWith(`/${name}`)) ?? null;
}

export async function resolveTimezone(client: ModelClient, model: string, city: string): Promise<string | null> {
  const known = timezoneByCityName(city);
  if (known) return known;
  const answer = await client.forcedTool(
    "timezone",
    null,
    model,
    TIMEZONE_TIMEOUT_MS,
    TIMEZONE_TOOL,
    `Which IANA timezone is this place in? ${JSON.stringify(city.slice(0, 120))}`,
  );
  return answer?.timezone ?? null;
}
