// Local development with a real bot (PLATFORM.md §2.2 item 5): long-poll getUpdates and post each update to the
// local webhook with the secret, advancing the offset only after a 200. deleteWebhook first: getUpdates is refused
// while a webhook is set.
import { Api } from "npm:grammy@1.46.0";
import type { GatewayEnv } from "../../functions/_shared/config.ts";
import { log } from "../../functions/_shared/platform/log.ts";

export function startPoller(env: GatewayEnv, gatewayPort: number): void {
  const api = new Api(env.TELEGRAM_BOT_TOKEN, { apiRoot: env.TELEGRAM_API_ROOT });
  (async () => {
    await api.deleteWebhook();
    let offset = 0;
    for (;;) {
      try {
        const updates = await api.getUpdates({ offset, timeout: 25, allowed_updates: ["message"] });
        for (const update of updates) {
          const res = await fetch(`http://127.0.0.1:${gatewayPort}/functions/v1/telegram-webhook`, {
            method: "POST",
            body: JSON.stringify(update),
            headers: {
              "content-type": "application/json",
              "x-telegram-bot-api-secret-token": env.TELEGRAM_WEBHOOK_SECRET,
            },
          });
          await res.body?.cancel();
          if (res.status !== 200) break;
          offset = update.update_id + 1;
        }
      } catch (error) {
        log("warn", "getUpdates failed", { error: String(error) });
        await new Promise((resolve) => setTimeout(resolve, 3000));
      }
    }
  })();
  log("info", "long-polling Telegram", { bot: env.TELEGRAM_BOT_USERNAME });
}
