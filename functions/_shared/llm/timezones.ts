// City names that are IANA zone names ("Berlin, Germany" -> Europe/Berlin): answered without a model call.
export function timezoneByCityName(city: string): string | null {
  const name = city.split(",")[0]!.trim().replace(/\s+/g, "_").toLowerCase();
  if (!name) return null;
  const zones = (Intl as unknown as { supportedValuesOf(key: string): string[] }).supportedValuesOf("timeZone");
  return zones.find((z) => z.toLowerCase().endsWith(`/${name}`)) ?? null;
}
