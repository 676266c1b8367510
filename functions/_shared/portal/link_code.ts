// Telegram link codes (PLATFORM.md §8.1): 8 characters a player can type from the portal without misreading (no I, O,
// 0 or 1), drawn here from a cryptographic source; the rules (10 minutes, reuse while unexpired, single use) are
// game.issue_link_code's and game.consume_link_code's.
import type { Tx } from "../platform/db.ts";

/** 32 characters: A-Z and 2-9 without I and O. 256 is a multiple of 32, so a byte modulo 32 is unbiased. */
export const LINK_CODE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789";
export const LINK_CODE_LENGTH = 8;

export function drawLinkCode(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(LINK_CODE_LENGTH));
  return Array.from(bytes, (b) => LINK_CODE_ALPHABET[b % LINK_CODE_ALPHABET.length]).join("");
}

export interface LinkCode {
  code: string;
  expires_at: string;
  currently_linked: boolean;
  reused: boolean;
}

/** A code another player holds comes back null: draw again (1 in 2^40 per draw, so a few draws always do). */
const DRAWS = 5;

export async function issueLinkCode(
  tx: Tx,
  userId: string,
  now: Date,
  draw: () => string = drawLinkCode,
): Promise<LinkCode> {
  for (let i = 0; i < DRAWS; i++) {
    const [row] = await tx<{ r: LinkCode | { code: null } }[]>`
      select game.issue_link_code(${userId}, ${draw()}, ${now}) as r`;
    if (row!.r.code !== null) return row!.r as LinkCode;
  }
  throw new Error(`no free link code in ${DRAWS} draws`);
}

/** The bot's deep link that starts the chat with the code (Telegram: up to 64 characters of A-Z a-z 0-9 _ -). */
export function deepLink(botUsername: string, code: string): string {
  return `https://t.me/${botUsername}?start=link_${code}`;
}
