// Who is calling the portal (PLATFORM.md §8.1): the Supabase access token checked with auth.getUser (Auth answers for
// the token, so an expired, forged or deleted user's token is refused), admin = app_metadata.role = 'admin'
// (app_metadata is writable only with the service key; user_metadata is the user's own and never trusted). Account
// deletion goes through the Auth admin API with the service role key. Tests talk to a fake of these two endpoints
// (tests/fakes/auth.ts) through the same client.
import { createClient } from "npm:@supabase/supabase-js@2.119.1";
import { ProviderError } from "../platform/errors.ts";

export interface PortalUser {
  id: string;
  isAdmin: boolean;
}

export interface PortalAuth {
  /** The user the access token belongs to, or null when Auth refuses it (401). Throws ProviderError when Auth
   * cannot answer. */
  userFor(token: string): Promise<PortalUser | null>;
  /** Deletes the Auth user; the database cascades it to every player row. Throws ProviderError when Auth fails,
   * and then nothing was deleted. */
  deleteUser(id: string): Promise<void>;
}

const clientOptions = { auth: { persistSession: false, autoRefreshToken: false, detectSessionInUrl: false } };

export function createPortalAuth(url: string, anonKey: string, serviceRoleKey: string): PortalAuth {
  const client = createClient(url, anonKey, clientOptions);
  const admin = createClient(url, serviceRoleKey, clientOptions);
  return {
    async userFor(token) {
      const { data, error } = await client.auth.getUser(token);
      if (!error && data.user) {
        return { id: data.user.id, isAdmin: data.user.app_metadata?.role === "admin" };
      }
      // A 4xx is Auth's verdict on the token; anything else (network, 5xx) is Auth not answering.
      if (error && error.status !== undefined && error.status >= 400 && error.status < 500) return null;
      throw new ProviderError(`auth: checking the token failed (${error?.status ?? "network"})`, error);
    },
    async deleteUser(id) {
      const { error } = await admin.auth.admin.deleteUser(id);
      if (error) throw new ProviderError(`auth: deleting the user failed (${error.status ?? "network"})`, error);
    },
  };
}
