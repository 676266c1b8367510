// A phone call in the play console, played as ElevenLabs would play it against the local voice function: the
// initiation webhook when the player calls (or the fake ElevenLabs' dial when she does), her voice context from the
// get_context tool, the caller's typed lines and her spoken answers (the app's model: Claude when keys are set, the
// offline stand-in otherwise), and at hang-up the post-call webhook, signed as ElevenLabs signs it, so the pipeline
// scores the call as it would a real one.
import type { Llm, TurnContext } from "../../functions/_shared/llm/types.ts";
import type { Sql } from "../../functions/_shared/platform/db.ts";
import type { InitiationResponse } from "../../functions/_shared/voice/initiation.ts";
import {
  initiationRequest,
  type OutboundCallRecord,
  postCallEvent,
  sendWebhook,
  type TranscriptLine,
} from "../../tests/fakes/elevenlabs.ts";

export interface CallConsoleDeps {
  /** The gateway's voice function, e.g. http://127.0.0.1:54321/functions/v1/voice. */
  voiceUrl: string;
  initiationSecret: string;
  webhookSecret: string;
  agentId: string;
  llm: Llm;
  sql: Sql;
  show: (lines: string[]) => void;
  now?: () => Date;
}

export interface CallConsole {
  /** Whether a call is on: typed lines go to her, not to Telegram. */
  readonly active: boolean;
  /** The player calls her from `phone`. */
  ring(phone: string): Promise<void>;
  /** She calls (the fake ElevenLabs dialled): announced, picked up with /answer. */
  incoming(call: OutboundCallRecord): void;
  /** Picks up her call, if one is ringing. */
  answer(): Promise<boolean>;
  say(line: string): Promise<void>;
  hangUp(): Promise<void>;
}

interface Call {
  token: string;
  userId: string;
  callSid: string;
  conversationId: string;
  context: TurnContext;
  transcript: TranscriptLine[];
  startedAt: number;
}

/** The commands a call understands. */
export const HANG_UP = "/hangup";
export const ANSWER = "/answer";

const INDENT = "          ";

function randomId(prefix: string): string {
  return `${prefix}${crypto.randomUUID().replaceAll("-", "")}`;
}

export function createCallConsole(deps: CallConsoleDeps): CallConsole {
  const now = deps.now ?? (() => new Date());
  let call: Call | null = null;
  let ringing: OutboundCallRecord | null = null;

  const speak = (text: string) => deps.show(["", `  Nikita (phone): ${text.replace(/\n/g, `\n${INDENT}`)}`, ""]);
  const seconds = () => call ? Math.round((now().getTime() - call.startedAt) / 1000) : 0;

  /** What the agent would hold: her context from the get_context tool, the player block from the variables. */
  async function connect(
    answer: InitiationResponse,
    ids: { callSid: string; conversationId: string },
  ): Promise<void> {
    const token = answer.dynamic_variables.secret__signed_token;
    speak(answer.conversation_config_override.agent.first_message);
    if (!token) {
      deps.show([`${INDENT}(she hangs up)`, ""]);
      return;
    }
    const userId = token.split(":")[0]!;
    const res = await fetch(`${deps.voiceUrl}/tools/get_context`, {
      method: "POST",
      headers: { "content-type": "application/json", "x-nikita-session": token },
      body: "{}",
    });
    const tool = res.ok ? await res.json() as { context?: string } : {};
    const [player] = await deps.sql<{ chapter: number }[]>`select chapter from public.users where id = ${userId}`;
    const vars = answer.dynamic_variables;
    call = {
      token,
      userId,
      ...ids,
      startedAt: now().getTime(),
      transcript: [{
        role: "agent",
        message: answer.conversation_config_override.agent.first_message,
        time_in_call_secs: 0,
      }],
      context: {
        userId,
        playerName: vars.player_name || null,
        chapter: player?.chapter ?? 1,
        chapterName: vars.chapter_name,
        localTime: vars.local_time,
        readyPrompt: [answer.conversation_config_override.agent.prompt.prompt, tool.context].filter(Boolean).join(
          "\n\n",
        ),
        notes: ["You are on the phone: answer in one or two short spoken sentences, no emoji."],
      },
    };
    deps.show([`${INDENT}(on the phone: type what you say, ${HANG_UP} to end the call)`, ""]);
  }

  return {
    get active() {
      return call !== null;
    },
    async ring(phone) {
      const callSid = randomId("CA");
      deps.show(["", `  (calling her from ${phone}…)`]);
      const res = await fetch(initiationRequest(`${deps.voiceUrl}/initiation`, {
        caller_id: phone,
        call_sid: callSid,
        agent_id: deps.agentId,
      }, deps.initiationSecret));
      if (res.status !== 200) {
        deps.show([`${INDENT}(the call did not connect: ${res.status})`, ""]);
        return;
      }
      await connect(await res.json() as InitiationResponse, { callSid, conversationId: randomId("conv_") });
    },
    incoming(record) {
      ringing = record;
      const reason = record.body.conversation_initiation_client_data?.dynamic_variables?.call_reason;
      deps.show(["", `  ☎  Nikita is calling you${reason ? ` (${reason})` : ""}. ${ANSWER} to pick up.`, ""]);
    },
    async answer() {
      const record = ringing;
      ringing = null;
      if (!record || call) return false;
      const data = record.body.conversation_initiation_client_data;
      const override = data?.conversation_config_override as
        | { agent?: { prompt?: { prompt?: string }; first_message?: string } }
        | undefined;
      const variables = Object.fromEntries(
        Object.entries(data?.dynamic_variables ?? {}).map(([k, v]) => [k, String(v)]),
      ) as unknown as InitiationResponse["dynamic_variables"];
      await connect({
        type: "conversation_initiation_client_data",
        dynamic_variables: variables,
        conversation_config_override: {
          agent: {
            prompt: { prompt: override?.agent?.prompt?.prompt ?? "" },
            first_message: override?.agent?.first_message ?? "Hey.",
          },
        },
      }, { callSid: record.callSid ?? randomId("CA"), conversationId: record.conversationId ?? randomId("conv_") });
      return true;
    },
    async say(line) {
      if (!call) return;
      call.transcript.push({ role: "user", message: line, time_in_call_secs: seconds() });
      const history = call.transcript.map((l) => ({
        role: l.role === "user" ? "player" as const : "nikita" as const,
        content: l.message,
      }));
      const reply = await deps.llm.reply(call.context, history).catch(() => "Sorry, you broke up for a second.");
      call.transcript.push({ role: "agent", message: reply, time_in_call_secs: seconds() });
      speak(reply);
    },
    async hangUp() {
      const ended = call;
      call = null;
      if (!ended) return;
      const res = await sendWebhook(
        `${deps.voiceUrl}/post-call`,
        postCallEvent({
          conversationId: ended.conversationId,
          token: ended.token,
          callSid: ended.callSid,
          transcript: ended.transcript,
          at: now(),
        }),
        { secret: deps.webhookSecret },
      );
      const status = res.ok ? (await res.json() as { status?: string }).status : `HTTP ${res.status}`;
      deps.show(["", `  (call ended after ${ended.transcript.length} lines; post-call webhook: ${status})`, ""]);
    },
  };
}
