// Her day in her prompts (GAME_RULES.md §13): today's events whose slot has begun (game.todays_life_events), as
// lines she can bring up. The ready prompt's inner life and a reply's live tail both use them, so they read alike.

/** One row of game.todays_life_events. */
export interface TodaysEvent {
  time_of_day: string;
  description: string;
  people: string[];
}

/** "Your day so far:" and one line per event, in order; nothing when the day has had none yet. */
export function dayLines(events: readonly TodaysEvent[] | null | undefined): string[] {
  if (!events?.length) return [];
  return [
    `Your day so far:\n${
      events.map((e) => `- (${e.time_of_day}) ${e.description}${e.people.length ? ` [${e.people.join(", ")}]` : ""}`)
        .join("\n")
    }`,
  ];
}
