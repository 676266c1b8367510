// `npm run telegram:webhook -- set|info|delete`: registers the deployed telegram-webhook function with Telegram,
// shows what Telegram has registered, or removes it. Reads TELEGRAM_BOT_TOKEN, TELEGRAM_WEBHOOK_SECRET,
// SUPABASE_URL and TELEGRAM_API_ROOT from the environment, then from .env.
import { Api, GrammyError, HttpError } from "npm:grammy@1.46.0";
import { z } from "npm:zod@4.6.7";
import { ConfigError, parseEnv } from "../functions/_shared/platform/env.ts";
import { readDotEnv } from "./local/env.ts";

/** The updates the bot handles (telegram/updates.ts): Telegram sends no others. */
export const ALLOWED_UPDATES = ["message"] as const;

const trimmedUrl = z.url().transform((s) => s.replace(/\/+$/, ""));
/** What every command needs: the bot and the Bot API it talks to. */
const apiSchema = z.object({
  TELEGRAM_BOT_TOKEN: z.string().min(1),
  TELEGRAM_API_ROOT: trimmedUrl.default("https://api.telegram.org"),
});
/** `set` also needs where the function is deployed and the secret Telegram sends back with every update. */
const setSchema = apiSchema.extend({ TELEGRAM_WEBHOOK_SECRET: z.string().min(1), SUPABASE_URL: trimmedUrl });

const usage = "usage: npm run telegram:webhook -- set|info|delete";

/** The URL Telegram posts updates to: the deployed telegram-webhook function of the project. */
export function webhookUrl(supabaseUrl: string): string {
  return `${supabaseUrl.replace(/\/+$/, "")}/functions/v1/telegram-webhook`;
}

export interface Printer {
  out(line: string): void;
  err(line: string): void;
}

/** Runs one command; returns the exit code (0 done, 1 Telegram refused or was unreachable, 2 usage or config). */
export async function runWebhookCommand(
  args: string[],
  source: Record<string, string | undefined>,
  print: Printer = { out: console.log, err: console.error },
): Promise<number> {
  const command = args[0];
  if (args.length !== 1 || (command !== "set" && command !== "info" && command !== "delete")) {
    print.err(usage);
    return 2;
  }
  // The variables a command needs, or null after saying which are missing or malformed.
  const configured = <S extends z.ZodType>(schema: S): z.infer<S> | null => {
    try {
      return parseEnv(schema, source);
    } catch (error) {
      if (!(error instanceof ConfigError)) throw error;
      const problems = error.problems.join("; ");
      print.err(`telegram:webhook ${command}: ${problems} (set in the environment or in .env; see .env.example)`);
      return null;
    }
  };
  // One Bot API call; prints what it reports, or why it failed.
  const talk = async (env: z.infer<typeof apiSchema>, call: (api: Api) => Promise<string>): Promise<number> => {
    try {
      print.out(await call(new Api(env.TELEGRAM_BOT_TOKEN, { apiRoot: env.TELEGRAM_API_ROOT })));
      return 0;
    } catch (error) {
      // The token is part of every request URL, and a network error names the URL: print only what is safe.
      if (error instanceof GrammyError) print.err(`telegram:webhook ${command}: Telegram said ${error.description}`);
      else if (error instanceof HttpError) {
        print.err(`telegram:webhook ${command}: Telegram unreachable at ${env.TELEGRAM_API_ROOT}`);
      } else throw error;
      return 1;
    }
  };

  if (command === "set") {
    const env = configured(setSchema);
    if (!env) return 2;
    const url = webhookUrl(env.SUPABASE_URL);
    return await talk(env, async (api) => {
      await api.setWebhook(url, { secret_token: env.TELEGRAM_WEBHOOK_SECRET, allowed_updates: [...ALLOWED_UPDATES] });
      return `webhook set: ${url} (updates: ${ALLOWED_UPDATES.join(", ")}; secret: TELEGRAM_WEBHOOK_SECRET)`;
    });
  }
  const env = configured(apiSchema);
  if (!env) return 2;
  if (command === "info") return await talk(env, async (api) => JSON.stringify(await api.getWebhookInfo(), null, 2));
  return await talk(env, async (api) => {
    await api.deleteWebhook();
    return "webhook deleted: Telegram now holds updates for getUpdates until a webhook is set again";
  });
}

if (import.meta.main) {
  const root = new URL("..", import.meta.url).pathname.replace(/\/$/, "");
  Deno.exit(await runWebhookCommand(Deno.args, { ...readDotEnv(`${root}/.env`), ...Deno.env.toObject() }));
}
