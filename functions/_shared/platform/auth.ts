// Signup codes through Supabase Auth (email OTP): signInWithOtp sends the code, verifyOtp checks it. Locally and in
// tests a fake of these two endpoints stands in (tests/fakes/auth.ts), through the same client.
import { createClient } from "npm:@supabase/supabase-js@2.119.1";
import { ProviderError } from "./errors.ts";

export type SendResult = "sent" | "rate_limited";
export type VerifyResult = { userId: string } | "wrong";

export interface AuthGateway {
  sendCode(email: string): Promise<SendResult>;
  verifyCode(email: string, code: string): Promise<VerifyResult>;
}

export function createSupabaseAuth(url: string, anonKey: string): AuthGateway {
  // No session is kept: the function only proves the email, it never acts as the user.
  const client = createClient(url, anonKey, {
    auth: { persistSession: false, autoRefreshToken: false, detectSessionInUrl: false },
  });
  return {
    async sendCode(email) {
      const { error } = await client.auth.signInWithOtp({ email, options: { shouldCreateUser: true } });
      if (!error) return "sent";
      if (error.status === 429 || error.code === "over_email_send_rate_limit") return "rate_limited";
      throw new ProviderError(`auth: sending the code failed (${error.status ?? "network"})`, error);
    },
    async verifyCode(email, code) {
      const { data, error } = await client.auth.verifyOtp({ email, token: code, type: "email" });
      if (!error && data.user) return { userId: data.user.id };
      // Auth answers otp_expired for a wrong code as well as an old one; the signup row's own 10-minute expiry
      // tells the two apart, so any 4xx here is a wrong code.
      if (error && error.status !== undefined && error.status >= 400 && error.status < 500) return "wrong";
      throw new ProviderError(`auth: verifying the code failed (${error?.status ?? "network"})`, error);
    },
  };
}
