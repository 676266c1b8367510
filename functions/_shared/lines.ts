// Fixed lines the bot sends. In-character lines speak as her; command help and status never do (GAME_RULES §18).
// Each set has several variants; one is picked from a seed (the update id), so a retry picks the same words.

export function pickLine(lines: readonly string[], seed: number): string {
  return lines[Math.abs(seed) % lines.length]!;
}

export const IN_CHARACTER = {
  textPlease: [
    "I'm not opening that. Use your words.",
    "Type it out. I like reading you, not decoding you.",
    "Text, please. I'm picky like that.",
  ],
  slowDown: [
    "Whoa. Slow down, I can't keep up with you.",
    "Breathe. One thought at a time.",
    "You're flooding me. Give me a minute.",
  ],
  needSpace: ["I need some space tonight. Talk tomorrow.", "I'm done for today. Tomorrow, okay?"],
  spaceHint: ["(I might need some alone time soon, just so you know.)"],
  holding: ["Give me a sec, my head is somewhere else.", "Hold on, I'm in the middle of something. Back soon."],
  unknownCommand: ["No idea what that means. /help, maybe?"],
  gameOver: [
    "I said what I had to say. /start if you want to try again from the beginning.",
    "We're done. If you ever want a fresh start: /start.",
  ],
  won: [
    "You still make me smile, you know that?",
    "Hi you. Yes, still yours.",
    "I was just thinking about you :)",
    "Don't get used to me being this soft 😏",
    "Lena says I talk about you too much. She's right.",
  ],
  freshStart: ["Okay. Fresh start. Let's see if you learned anything.", "New beginning. Don't make me regret it."],
  welcomeBack: ["Oh, it's you again. Hi.", "You came back. Interesting."],
  alreadyBound: ["This account already belongs to someone else. Not you, apparently."],
  contactRefused: ["That's not your number. I only want yours."],
  contactSaved: ["Got your number. Don't make me regret it."],
  contactTaken: ["That number already belongs to someone I know. And it isn't you."],
  contactInvalid: ["That doesn't look like a number I could call. Try again?"],
  firstMessage: [
    "So. You found me. Tell me something interesting about yourself, and skip the small talk.",
    "Hi. I'm Nikita. Impress me: what's the most interesting thing you thought about today?",
  ],
  callOff: ["I'm not really a phone person right now. Text me."],
} as const;

export const OUT_OF_CHARACTER = {
  help:
    "Commands:\n/start begin or resume\n/status how things stand\n/call how to call her\n/portal open your portal\n/settings your settings\n/help this list",
  askEmail: "Welcome. To begin, send the email address you want to sign in with.",
  badEmail: "That doesn't look like an email address. Try again.",
  codeSent: "A sign-in code is on its way to your email. Type it here.",
  codeReminder: "Type the 6-digit code from the email.",
  wrongCode: "That code didn't work. Try again.",
  restart: "That didn't work out. Send /start to begin again.",
  rateLimitedEmail: "Give it a minute before asking for another code.",
  askName: "Signed in. What should she call you?",
  badName: "A name of 1 to 40 characters, please.",
  askCity: "Which city do you live in? (City, country)",
  askTimezone: "I couldn't place that city. Type your timezone (like Europe/Berlin), or UTC.",
  askDarkness: "Last question: how dark do you like your humour and your stories? 1 (gentle) to 5 (dark).",
  badDarkness: "Pick a number from 1 to 5.",
  linkExpired: "That link has expired. Get a fresh one from the portal.",
  portal: "Your portal:",
  callNoPhone: "Calls are matched by your number. Share it with the button below.",
  pickUp: {
    rarely: "She rarely picks up this early on. Try anyway.",
    sometimes: "She picks up sometimes.",
    usually: "She usually picks up.",
    almostAlways: "She almost always picks up for you now.",
    justCalled: "You only just spoke; give her a few minutes first.",
  },
} as const;
