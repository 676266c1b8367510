// Fixtures for flows through the webhook: an onboarded player bound to a Telegram chat, and the analyzer's judgment.
import type { Sql } from "../../functions/_shared/platform/db.ts";

/** An onboarded player bound to the Telegram chat `telegramId`, in chapter 1 with every metric at `metric`;
 * returns the user id. */
export async function onboardedPlayer(
  sql: Sql,
  telegramId: number,
  options: { metric?: number; darkness?: number; at?: Date } = {},
): Promise<string> {
  const metric = options.metric ?? 50;
  const at = options.at ?? new Date();
  const [user] = await sql<{ id: string }[]>`
    insert into auth.users (email) values (${`player-${telegramId}-${crypto.randomUUID()}@players.test`}) returning id`;
  await sql`select game.bind_telegram(${user!.id}, ${telegramId}, ${telegramId}, ${at})`;
  await sql`select game.complete_onboarding(${user!.id}, ${
    sql.json({ display_name: "Robin", timezone: "UTC", darkness: options.darkness ?? 2 })
  }, ${at})`;
  await sql`update public.users set intimacy = ${metric}, passion = ${metric}, trust = ${metric},
    secureness = ${metric}, relationship_score = ${metric} where id = ${user!.id}`;
  return user!.id;
}

/** The analyzer's judgment moving every metric by `d`. */
export const analysis = (d: number) => ({
  deltas: { intimacy: d, passion: d, trust: d, secureness: d },
  behaviors: [],
  repair: { attempted: false, quality: null },
  vice_signals: [],
  language: { needy: 0, distracted: 0 },
  confidence: 0.9,
});
