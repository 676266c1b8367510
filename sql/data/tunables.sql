-- The game's constants (GAME_RULES.md §20): one row of game.tunables per name, with its value (JSON), unit and
-- meaning, grouped by the section of GAME_RULES.md that uses it. Per-chapter values are arrays, chapter 1 first;
-- the per-chapter values players may see (boss threshold, decay grace, rate and daily cap, delta cap) are the
-- columns of public.chapters instead (chapters.sql). game.tunables_snapshot follows by trigger.

-- GAME_RULES.md §2 Metrics and the relationship score (the weighted sum of the four metrics).
insert into game.tunables (name, value, unit, meaning) values
  ('weight_intimacy',   '0.3', 'fraction of score', 'weight of intimacy in the relationship score'),
  ('weight_passion',    '0.25', 'fraction of score', 'weight of passion in the relationship score'),
  ('weight_trust',      '0.25', 'fraction of score', 'weight of trust in the relationship score'),
  ('weight_secureness', '0.2', 'fraction of score', 'weight of secureness in the relationship score'),
  ('metric_start',      '50', 'points', 'each metric at provisioning and reset'),
  ('metric_min',        '0', 'points', 'lowest metric value'),
  ('metric_max',        '100', 'points', 'highest metric value'),
  ('value_scale',       '4', 'decimal places', 'precision of stored metrics and scores');

-- GAME_RULES.md §3 Scoring an exchange: analyzer limit, warmth bonus, engagement multiplier on positive deltas.
insert into game.tunables (name, value, unit, meaning) values
  ('analyzer_delta_limit',   '10', 'points per metric', 'largest absolute delta the analyzer may return'),
  ('warmth_bonus',           '[2, 1, 0]', 'trust points', 'trust bonus for a vulnerability exchange by prior count (0, 1, >= 2)'),
  ('warmth_bonus_delta_max', '10', 'trust points', 'trust delta ceiling after the warmth bonus'),
  ('multiplier_in_zone',     '1.0', 'factor on positive deltas', 'engagement multiplier while in_zone'),
  ('multiplier_calibrating', '0.9', 'factor on positive deltas', 'engagement multiplier while calibrating'),
  ('multiplier_drifting',    '0.8', 'factor on positive deltas', 'engagement multiplier while drifting'),
  ('multiplier_distant',     '0.6', 'factor on positive deltas', 'engagement multiplier while distant'),
  ('multiplier_clingy',      '0.5', 'factor on positive deltas', 'engagement multiplier while clingy'),
  ('multiplier_out_of_zone', '0.2', 'factor on positive deltas', 'engagement multiplier while out_of_zone');

-- GAME_RULES.md §5 Boss encounters: attempts, the two phases, cooldown, timeout and the judge.
insert into game.tunables (name, value, unit, meaning) values
  ('boss_max_attempts',       '3', 'failed attempts', 'failed boss attempts that end the game'),
  ('boss_resolution_replies', '2', 'player replies', 'player replies in the resolution phase before the judge runs'),
  ('boss_cooldown',           '24', 'hours', 'cooldown after a FAIL or PARTIAL'),
  ('boss_phase_timeout',      '24', 'hours', 'a boss phase not completed within this counts as FAIL'),
  ('boss_min_confidence',     '0.7', '0..1', 'below this judge confidence, PASS and FAIL become PARTIAL'),
  ('boss_opening_delay',      '2', 'seconds', 'delay of her boss opening after her reply');

-- GAME_RULES.md §7.3 Decay consequences (grace, rate and daily cap per chapter are columns of public.chapters).
insert into game.tunables (name, value, unit, meaning) values
  ('decay_warning_below',   '40', 'score', 'crossing below this queues her "where are you" message'),
  ('decay_alert_below',     '30', 'score', 'crossing below this queues a notification in her voice'),
  ('decay_warning_min_gap', '24', 'hours', 'at most one "where are you" message per this many hours');

-- GAME_RULES.md §8 Engagement: calibration inputs and score (§8.2, §8.3), clingy and neglecting flags, streaks
-- (§8.4), day counters (§8.5), engagement game over (§8.6).
insert into game.tunables (name, value, unit, meaning) values
  ('engagement_window',            '24', 'hours', 'window of the engagement inputs'),
  ('calibration_weight_frequency', '0.4', 'fraction', 'weight of frequency in the calibration score'),
  ('calibration_weight_timing',    '0.3', 'fraction', 'weight of timing in the calibration score'),
  ('calibration_weight_content',   '0.3', 'fraction', 'weight of content in the calibration score'),
  ('optimal_messages_base',        '[15, 12, 10, 8, 6]', 'messages per day', 'optimal daily message count by chapter'),
  ('optimal_weekday_modifier',     '{"mon": 0.9, "tue": 0.95, "wed": 1.0, "thu": 1.0, "fri": 1.05, "sat": 1.2, "sun": 1.1}', 'factor', 'optimal count modifier by the player''s local weekday'),
  ('timing_fast_below',            '60', 'seconds', 'mean response time below this scores as too fast'),
  ('timing_slow_above',            '3600', 'seconds', 'mean response time above this scores as slow'),
  ('timing_slow_span',             '14400', 'seconds', 'span over which a slow response time falls to 0'),
  ('timing_fast_floor',            '0.6', 'score', 'timing score at a 0 s response time'),
  ('length_short_below',           '20', 'characters', 'messages shorter than this score low on length'),
  ('length_good_from',             '50', 'characters', 'start of the ideal message length'),
  ('length_good_to',               '150', 'characters', 'end of the ideal message length'),
  ('length_long_span',             '200', 'characters', 'span over which a long message falls to 0'),
  ('content_weight_length',        '0.4', 'fraction', 'weight of length in the content score'),
  ('content_weight_language',      '0.6', 'fraction', 'weight of language in the content score'),
  ('clingy_response_below',        '60', 'seconds', 'clingy flag: mean response time below this (with needy language)'),
  ('clingy_needy_above',           '0.5', '0..1', 'clingy flag: needy language above this (with fast responses)'),
  ('clingy_frequency_factor',      '2', 'x optimal', 'clingy flag: more messages than this times optimal'),
  ('neglect_response_above',       '14400', 'seconds', 'neglecting flag: mean response time above this'),
  ('neglect_distracted_above',     '0.5', '0..1', 'neglecting flag: distracted language above this'),
  ('neglect_frequency_factor',     '0.5', 'x optimal', 'neglecting flag: fewer messages than floor(optimal x this)'),
  ('in_zone_entry_score',          '0.8', 'score', 'calibration at or above this counts toward the high streak'),
  ('in_zone_entry_streak',         '3', 'exchanges', 'high streak that moves calibrating to in_zone'),
  ('in_zone_exit_below',           '0.6', 'score', 'calibration below this moves in_zone to drifting'),
  ('drift_score',                  '0.5', 'score', 'calibration below this counts toward the low streak'),
  ('drift_streak',                 '2', 'exchanges', 'low streak that moves calibrating to drifting'),
  ('recovery_score',               '0.7', 'score', 'calibration at or above this counts toward the recovery streak'),
  ('drifting_recovery_streak',     '2', 'exchanges', 'recovery streak that moves drifting to in_zone'),
  ('out_of_zone_recovery_streak',  '3', 'exchanges', 'recovery streak that moves out_of_zone to calibrating'),
  ('clingy_entry_days',            '2', 'days', 'clingy days that move drifting to clingy'),
  ('distant_entry_days',           '2', 'days', 'distant days that move drifting to distant'),
  ('clingy_exit_days',             '2', 'days', 'non-clingy days that move clingy to drifting'),
  ('clingy_to_out_days',           '3', 'days', 'clingy days that move clingy to out_of_zone'),
  ('distant_to_out_days',          '5', 'days', 'distant days that move distant to out_of_zone'),
  ('game_over_clingy_days',        '7', 'days', 'consecutive clingy days that end the game'),
  ('game_over_distant_days',       '10', 'days', 'consecutive distant days that end the game'),
  ('game_over_out_of_zone_days',   '14', 'days', 'consecutive out-of-zone days that end the game');

-- GAME_RULES.md §9 Conflict temperature and the Gottman ratio: zones, repair, heating, cooling, crises, breakup.
insert into game.tunables (name, value, unit, meaning) values
  ('zone_warm_from',          '25', 'temperature', 'start of the warm zone'),
  ('zone_hot_from',           '50', 'temperature', 'start of the hot zone'),
  ('zone_critical_from',      '75', 'temperature', 'start of the critical zone'),
  ('repair_cooling',          '{"excellent": 25, "good": 15, "adequate": 5}', 'temperature points', 'cooling by repair quality'),
  ('heat_per_score_drop',     '1.5', 'temperature per score point', 'heating per point of score drop'),
  ('cooling_per_score_gain',  '0.5', 'temperature per score point', 'cooling per point of score gain'),
  ('big_drop_above',          '3', 'score points', 'a drop larger than this adds the big-drop bonus'),
  ('big_drop_bonus',          '5', 'temperature', 'extra heat for a big drop'),
  ('horseman_heat',           '{"criticism": 4, "contempt": 8, "defensiveness": 3, "stonewalling": 5}', 'temperature', 'heat per horseman tag'),
  ('gottman_target_calm',     '20', 'ratio', 'target positive/negative ratio outside conflict'),
  ('gottman_target_conflict', '5', 'ratio', 'target positive/negative ratio in conflict'),
  ('gottman_window',          '7', 'days', 'window of the Gottman counts'),
  ('gottman_heat_base',       '2', 'temperature', 'heat when the ratio is below target'),
  ('gottman_heat_scale',      '3', 'temperature', 'extra heat scaled by the shortfall'),
  ('gottman_cool_base',       '1', 'temperature', 'cooling when the ratio meets the target'),
  ('gottman_cool_scale',      '1', 'temperature', 'extra cooling scaled by the excess'),
  ('passive_cooling',         '0.5', 'temperature per hour', 'passive cooling of the conflict temperature'),
  ('crisis_limit',            '3', 'crises', 'consecutive crises that end the game'),
  ('crisis_reset_below',      '50', 'temperature', 'below this, consecutive crises reset'),
  ('breakup_temperature',     '90', 'temperature', 'above this for too long ends the game'),
  ('breakup_duration',        '48', 'hours', 'how long above the breakup temperature ends the game');

-- GAME_RULES.md §10 Vices: signals (§10.3), intensity and seeding (§10.2), use in her prompt (§10.1, §10.4).
insert into game.tunables (name, value, unit, meaning) values
  ('vice_min_confidence',       '0.5', '0..1', 'vice signals below this confidence are ignored'),
  ('vice_positive_weight',      '1.0', 'factor', 'weight of a positive vice signal'),
  ('vice_rejection_weight',     '0.5', 'factor', 'weight of a vice rejection'),
  ('vice_sensitivity',          '[1.5, 1.25, 1.0, 0.75, 0.5]', 'factor', 'vice signal sensitivity by chapter'),
  ('vice_intensity_divisor',    '5', 'engagement points', 'engagement score at full intensity'),
  ('vice_seed_engagement',      '1.5', 'engagement points', 'engagement score of a seeded category'),
  ('vice_inject_min_intensity', '0.3', 'intensity', 'minimum effective intensity to shape her prompt'),
  ('vice_inject_top',           '3', 'categories', 'categories that shape her prompt'),
  ('vice_discovery_below',      '3', 'categories', 'discovery mode while fewer categories are discovered'),
  ('vice_probe_count',          '3', 'categories', 'undiscovered categories to probe in discovery mode'),
  ('vice_cap_substances',       '[0.3, 0.45, 0.6, 0.7, 0.8]', 'intensity', 'cap on injected substances intensity by chapter'),
  ('vice_cap_sexuality',        '[0.35, 0.45, 0.6, 0.75, 0.85]', 'intensity', 'cap on injected sexuality intensity by chapter'),
  ('vice_cap_rule_breaking',    '[0.4, 0.55, 0.7, 0.8, 0.9]', 'intensity', 'cap on injected rule_breaking intensity by chapter'),
  ('vice_label_strong',         '0.8', 'intensity', 'intensity labelled strong'),
  ('vice_label_moderate',       '0.6', 'intensity', 'intensity labelled moderate'),
  ('vice_label_mild',           '0.4', 'intensity', 'intensity labelled mild'),
  ('vice_seeds',                '{"1": ["vulnerability", "intellectual_dominance"], "2": ["vulnerability", "intellectual_dominance"], "3": ["vulnerability", "intellectual_dominance", "emotional_intensity", "dark_humor", "sexuality"], "4": ["dark_humor", "emotional_intensity", "risk_taking", "sexuality", "vulnerability"], "5": ["dark_humor", "emotional_intensity", "risk_taking", "sexuality", "vulnerability"]}', 'categories', 'categories seeded at onboarding by darkness level (GAME_RULES.md §10.2)');

-- GAME_RULES.md §11 Her emotional state.
insert into game.tunables (name, value, unit, meaning) values
  ('emotion_neutral',              '0.5', '0..1', 'neutral value of each emotional dimension'),
  ('emotion_events_limit',         '0.3', '+-', 'limit of the life-event contribution per dimension'),
  ('emotion_tone_limit',           '0.4', '+-', 'limit of the conversation-tone contribution per dimension'),
  ('emotion_score_valence_factor', '0.2', 'valence per unit', 'valence from the score'),
  ('emotion_time_of_day',          '{"0": {"arousal": -0.2, "valence": -0.1}, "5": {"arousal": -0.1, "valence": -0.05}, "8": {"arousal": 0.15, "valence": 0.1}, "12": {"arousal": 0.05, "valence": 0}, "17": {"arousal": -0.05, "valence": 0.05}, "21": {"arousal": -0.15, "valence": 0}}', 'deltas', 'mood base by Berlin hour (key: first hour of the band)'),
  ('emotion_weekday',              '{"weekday": {"dominance": 0.05}, "fri": {"valence": 0.1, "arousal": 0.1}, "weekend": {"valence": 0.1, "dominance": -0.05, "arousal": -0.05}}', 'deltas', 'mood base by Berlin weekday'),
  ('emotion_tone',                 '{"supportive": {"valence": 0.15, "intimacy": 0.1, "arousal": 0, "dominance": 0.05}, "dismissive": {"valence": -0.15, "intimacy": -0.1, "arousal": 0, "dominance": -0.1}, "romantic": {"valence": 0.2, "intimacy": 0.2, "arousal": 0.1, "dominance": 0}, "cold": {"valence": -0.2, "intimacy": -0.2, "arousal": -0.05, "dominance": 0}, "playful": {"valence": 0.15, "intimacy": 0.05, "arousal": 0.15, "dominance": 0}, "anxious": {"valence": -0.1, "intimacy": 0, "arousal": 0.2, "dominance": -0.15}, "apologetic": {"valence": 0.05, "intimacy": 0.1, "arousal": 0, "dominance": -0.1}, "neutral": {"valence": 0, "intimacy": 0, "arousal": 0, "dominance": 0}}', 'deltas', 'mood deltas by conversation tone'),
  ('emotion_chapter',              '[{"intimacy": 0, "dominance": 0.1}, {"intimacy": 0.05, "dominance": 0.05}, {"intimacy": 0.1, "dominance": 0}, {"intimacy": 0.15, "dominance": -0.05}, {"intimacy": 0.2, "dominance": -0.1}]', 'deltas', 'mood modifier by chapter'),
  ('emotion_low_below',            '0.3', '0..1', 'a dimension below this reads as low'),
  ('emotion_high_above',           '0.7', '0..1', 'a dimension above this reads as high');

-- GAME_RULES.md §12 Psyche.
insert into game.tunables (name, value, unit, meaning) values
  ('psyche_batch_time',            '"05:00"', 'UTC time', 'daily psyche batch time'),
  ('psyche_batch_window',          '48', 'hours', 'context window of the psyche batch'),
  ('psyche_batch_inputs',          '{"score_rows": 20, "conversations": 10, "events": 10}', 'rows', 'inputs of the psyche batch'),
  ('psyche_deep_daily_max',        '5', 'analyses per local day', 'deep psyche analyses per player per local day'),
  ('psyche_quick_score_drop',      '5', 'points in one change', 'a larger drop in one change triggers a quick analysis'),
  ('psyche_guidance_max',          '500', 'characters', 'behavioral guidance length limit'),
  ('psyche_monologue_max',         '300', 'characters', 'internal monologue length limit'),
  ('psyche_topics_max',            '3', 'items', 'topics to encourage/avoid limit'),
  ('psyche_vulnerability_default', '0.3', '0..1', 'default vulnerability level'),
  ('psyche_crisis_phrases',        '["i can''t do this anymore", "i''m breaking down", "i want to die", "suicidal", "i hate myself", "nobody loves me", "i''m worthless", "i give up", "ending it", "self-harm", "panic attack", "crisis"]', 'phrases', 'phrases that trigger a deep psyche analysis'),
  ('psyche_emotional_phrases',     '["i miss you", "i need you", "i''m scared", "i''m sad", "i''m lonely", "i love you", "i''m hurt", "i''m anxious", "depressed", "overwhelmed", "heartbroken", "crying", "stressed", "therapy", "nightmare"]', 'phrases', 'phrases that trigger a quick psyche analysis');
-- A topic of her psyche state is a short phrase: the cap keeps a runaway answer out of her prompt.
insert into game.tunables (name, value, unit, meaning) values
  ('psyche_topic_max',             '80', 'characters', 'longest topic to encourage or avoid');

-- GAME_RULES.md §13 Her life: daily events, her mood from them, arcs.
insert into game.tunables (name, value, unit, meaning) values
  ('life_events_min',          '3', 'events per day', 'fewest life events per Berlin day'),
  ('life_events_max',          '5', 'events per day', 'most life events per Berlin day'),
  ('life_generation_time',     '"04:00 Europe/Berlin"', 'time', 'daily life-event generation time'),
  ('life_event_slots',         '{"morning": [6, 12], "afternoon": [12, 17], "evening": [17, 21], "night": [21, 6]}', 'Berlin hours', 'life event slots'),
  ('life_impact_max',          '{"arousal": 0.3, "valence": 0.3, "dominance": 0.2, "intimacy": 0.1}', '+- per event', 'largest impact of one life event'),
  ('life_mood_window',         '3', 'days', 'Berlin dates of events that set her mood'),
  ('life_mood_negative_below', '0.4', 'valence', 'generation leans negative below this mood valence'),
  ('life_mood_positive_above', '0.6', 'valence', 'generation leans positive above this mood valence'),
  ('life_recent_events',       '5', 'events', 'recent events given to generation'),
  ('life_recent_window',       '7', 'days', 'window of recent events'),
  ('npc_sentiment_threshold',  '0.1', '+- valence', 'event valence that colours her view of the people involved'),
  ('arc_max_active',           '3', 'arcs', 'most active arcs'),
  ('arc_open_chance',          '0.2', 'per day', 'chance a new arc opens'),
  ('arc_resolve_cap',          '0.9', 'probability', 'highest daily chance an arc resolves'),
  ('arc_resolve_factor',       '2', 'x typical days', 'resolution chance = days_active / (factor x typical days)');

-- GAME_RULES.md §14 Conversations and her replies: idle closing (§14.1), reply timing and momentum (§14.2),
-- rate limits (§14.3), post-processing (§14.4).
insert into game.tunables (name, value, unit, meaning) values
  ('conversation_idle',     '15', 'minutes', 'a conversation closes after this idle time'),
  ('new_conversation_gap',  '15', 'minutes', 'a player message after this gap starts a new conversation'),
  ('reply_lognormal_mu',    '2.996', 'ln seconds', 'mean of the reply-delay lognormal'),
  ('reply_lognormal_sigma', '1.714', 'ln seconds', 'sigma of the reply-delay lognormal'),
  ('reply_coefficient',     '[0.15, 0.3, 0.5, 0.75, 1.0]', 'factor', 'reply delay coefficient by chapter'),
  ('reply_cap',             '[10, 60, 300, 900, 1800]', 'seconds', 'longest reply delay by chapter'),
  ('reply_min_delay',       '1', 'seconds', 'shortest reply delay'),
  ('typing_window',         '5', 'seconds', 'longest typing indicator before a message'),
  ('momentum_gap_exclude',  '900', 'seconds', 'gaps of at least this are left out of momentum'),
  ('momentum_gap_floor',    '1', 'seconds', 'smallest gap counted'),
  ('momentum_alpha',        '0.35', 'weight', 'EWMA weight of momentum'),
  ('momentum_min',          '0.1', 'factor', 'lowest momentum'),
  ('momentum_max',          '5.0', 'factor', 'highest momentum'),
  ('momentum_gaps',         '10', 'gaps kept', 'gaps in the momentum window'),
  ('momentum_baseline',     '[300, 240, 180, 120, 90]', 'seconds', 'momentum baseline by chapter'),
  ('rate_per_minute',       '20', 'messages', 'messages per minute before the rate limit'),
  ('rate_per_day',          '500', 'messages', 'messages per local day before the rate limit'),
  ('rate_warning_at',       '450', 'messages', 'message of the local day that carries her hint'),
  ('reply_max_emoji',       '2', 'per message', 'most emoji in one of her messages'),
  ('message_max_chars',     '4096', 'characters', 'longest Telegram message part'),
  ('emoji_approved',        '["😏", "🙄", "🍆", "😘", "😅", "🥲", "🙂", ":)", ":(", ":P", ";)", ":/"]', 'emoji', 'emoji she may use'),
  ('emoji_forbidden',       '["👍", "🎉", "✨", "💯", "🔥"]', 'emoji', 'emoji she never uses');

-- GAME_RULES.md §15 Proactive messages (touchpoints) and strategic silence.
insert into game.tunables (name, value, unit, meaning) values
  ('touchpoint_initiation',           '[[0.15, 0.2], [0.2, 0.25], [0.25, 0.3], [0.25, 0.3], [0.25, 0.3]]', 'probability range', 'proactive initiation rate range by chapter'),
  ('touchpoint_morning_slot',         '["08:00", "10:00"]', 'player local time', 'morning slot'),
  ('touchpoint_evening_slot',         '["19:00", "21:00"]', 'player local time', 'evening slot'),
  ('touchpoint_gap',                  '24', 'hours', 'silence that may trigger a gap message'),
  ('touchpoint_gap_factor',           '1.5', 'factor', 'gap trigger chance = min(max, factor x rate)'),
  ('touchpoint_gap_max_p',            '0.5', 'probability', 'highest gap trigger chance'),
  ('touchpoint_gap_delay',            '2', 'minutes', 'delay of a gap message'),
  ('touchpoint_event_min_importance', '0.7', '0..1', 'life events at least this important may trigger a message'),
  ('touchpoint_event_magnitude_norm', '0.6', 'magnitude', 'magnitude normaliser of the event trigger'),
  ('touchpoint_event_max_p',          '0.8', 'probability', 'highest event trigger chance'),
  ('touchpoint_event_delay',          '5', 'minutes', 'delay of an event message'),
  ('touchpoint_min_spacing',          '120', 'minutes', 'no two proactive messages closer than this'),
  ('touchpoint_similarity_max',       '0.7', 'ratio', 'a proactive message must not be more similar than this to recent ones'),
  ('touchpoint_similarity_history',   '5', 'messages', 'recent proactive messages compared'),
  ('silence_base',                    '[0.1, 0.12, 0.15, 0.18, 0.2]', 'probability', 'strategic silence base chance by chapter'),
  ('silence_max_p',                   '0.5', 'probability', 'highest strategic silence chance'),
  ('silence_skip_above',              '1.4', 'modifier', 'a modifier above this always skips'),
  ('silence_valence_low',             '0.3', 'valence', 'low valence threshold'),
  ('silence_low_factor',              '3', 'factor', 'modifier per point of valence below the low threshold'),
  ('silence_valence_mid',             '0.4', 'valence', 'mid valence threshold'),
  ('silence_mid_factor',              '1.5', 'factor', 'modifier per point of valence below the mid threshold'),
  ('silence_arousal_above',           '0.6', '0..1', 'high arousal threshold (with low valence)'),
  ('silence_arousal_add',             '0.5', 'modifier', 'modifier added for low valence with high arousal'),
  ('silence_dominance_below',         '0.3', '0..1', 'low dominance threshold'),
  ('silence_dominance_add',           '0.2', 'modifier', 'modifier added for low dominance');

-- The touchpoints job's own choices, which GAME_RULES.md §15 leaves open: when she calls instead of texting (only
-- with voice on and a phone number on file, from chapter 3), and how late an undelivered touchpoint may still go.
insert into game.tunables (name, value, unit, meaning) values
  ('touchpoint_call_share',  '[0, 0, 0.1, 0.15, 0.2]', 'probability', 'share of touchpoints that are phone calls, by chapter (voice on and a phone number)'),
  ('touchpoint_stale_after', '120', 'minutes', 'a touchpoint not delivered this long after its due time is skipped as stale');

-- GAME_RULES.md §16 Voice calls.
insert into game.tunables (name, value, unit, meaning) values
  ('voice_accept',   '[0.1, 0.4, 0.8, 0.9, 0.95]', 'probability', 'chance she picks up, by chapter'),
  ('voice_cooldown', '5', 'minutes', 'no new call within this after the previous one ended');

-- GAME_RULES.md §17 Daily summary.
insert into game.tunables (name, value, unit, meaning) values
  ('summary_sentences',   '[2, 3]', 'sentences', 'daily summary length'),
  ('summary_key_moments', '[1, 3]', 'items', 'daily summary key moments');

-- GAME_RULES.md §17 and PLATFORM.md §5.1 daily-summaries: how far back missed days are caught up, how much of a
-- day her summary reads, and the lengths of its answer.
insert into game.tunables (name, value, unit, meaning) values
  ('summary_catch_up_days',        '7', 'days', 'a daily summary is written for ended local dates at most this many days back'),
  ('summary_input_items',          '20', 'items', 'conversations, threads and thoughts of the day each given to the daily summary'),
  ('summary_max_chars',            '1000', 'characters', 'longest daily summary text'),
  ('summary_key_moment_max_chars', '200', 'characters', 'longest daily summary key moment');

-- GAME_RULES.md §19 Admin adjustments: ±10 per metric, the range of the portal route (PLATFORM.md §8.1).
insert into game.tunables (name, value, unit, meaning) values
  ('admin_delta_limit', '10', 'points per metric', 'largest absolute delta of an admin adjustment');

-- PLATFORM.md §8.1 Portal link codes.
insert into game.tunables (name, value, unit, meaning) values
  ('link_code_ttl', '10', 'minutes', 'a portal link code for /start link_<code> expires after this');

-- PLATFORM.md §2.4 The /status line: a vague phrase by the score's share of the chapter's boss threshold,
-- first match wins.
insert into game.tunables (name, value, unit, meaning) values
  ('status_bands', '[{"below": 0.6, "band": "on thin ice"}, {"below": 0.8, "band": "it''s complicated"}, {"below": 0.95, "band": "warming up to you"}, {"below": null, "band": "something is about to happen"}]', 'share of the boss threshold', '/status phrase by score / boss threshold, first match wins');

-- PLATFORM.md §5.2 nikita-cleanup: the ages past which game.cleanup deletes rows, and its cap per table per run.
insert into game.tunables (name, value, unit, meaning) values
  ('cleanup_tool_calls_days',  '2', 'days', 'voice tool call records older than this are deleted'),
  ('cleanup_job_runs_days',    '30', 'days', 'job runs started longer ago are deleted'),
  ('cleanup_cron_runs_days',   '7', 'days', 'pg_cron run details that ended longer ago are deleted'),
  ('cleanup_auth_users_hours', '24', 'hours', 'unconfirmed Auth users never bound nor onboarded, older than this, are deleted'),
  ('cleanup_batch_max',        '10000', 'rows', 'most rows game.cleanup deletes per table per run');

-- Retention of the tables that only grow (sql/35_retention.sql, docs/retention.md; cron nikita-retention, daily).
-- Each window is longer than the longest any reader of its table looks back (the portal's 30-day history, the
-- Gottman window, the daily summaries' catch-up, Telegram's 24 h of resends, the life of a dedupe key), which
-- tests/sql/182-retention.test.sql checks; the batch sizes bound each statement, the batch count a run.
insert into game.tunables (name, value, unit, meaning) values
  ('retention_score_history_days',  '365', 'days', 'score_history rows recorded longer ago are deleted (each player''s last row and last exchange before that, and days with a conversation but no daily summary, are kept)'),
  ('retention_messages_days',       '180', 'days', 'messages of conversations whose pipeline job finished longer ago are deleted (each player''s last conversation per platform before that is kept)'),
  ('retention_llm_calls_days',      '90', 'days', 'LLM ledger rows of UTC days ended longer ago are summed into private.llm_cost_daily and deleted'),
  ('retention_inbox_days',          '7', 'days', 'done and ignored inbox rows received longer ago are deleted'),
  ('retention_inbox_failed_days',   '30', 'days', 'failed inbox rows received longer ago are deleted once a later update of the chat is done'),
  ('retention_outbox_days',         '30', 'days', 'sent outbox rows sent longer ago are deleted'),
  ('retention_outbox_failed_days',  '90', 'days', 'failed, unconfirmed and skipped outbox rows queued longer ago are deleted'),
  ('retention_batch_rows',          '10000', 'rows', 'rows one retention statement deletes at most'),
  ('retention_batch_conversations', '500', 'conversations', 'conversations whose messages one retention statement deletes at most'),
  ('retention_max_batches',         '100', 'batches', 'batches one retention run takes per table at most (a backlog goes over the next runs)');

-- PLATFORM.md §7 Memory (the memory update of GAME_RULES.md §14.1): a new fact this similar to an active one of the
-- same player and graph type supersedes it.
insert into game.tunables (name, value, unit, meaning) values
  ('memory_dedup_similarity', '0.87', 'cosine similarity', 'a new fact at least this similar to an active fact of the same player and graph type supersedes it (the newer wording wins)');

-- GAME_RULES.md §13 Her life, the tables: the event types of each domain (§13.1), her weekly routine by ISO
-- weekday (§13.2; "off" work = a day off, no work events; therapy on the Wednesdays of even ISO weeks), the arcs
-- with their domain, typical days and weighted outcomes in table order (§13.3), and the seeds of her days (§13.3,
-- her circle of §18).
insert into game.tunables (name, value, unit, meaning) values
  ('life_event_types', '{"work": ["project_update", "meeting", "colleague_interaction", "deadline", "win", "setback"], "social": ["friend_hangout", "friend_drama", "plans_made", "plans_cancelled", "new_person"], "personal": ["gym", "errand", "hobby_activity", "self_care", "health", "travel"]}', 'types per domain', 'the event types each life-event domain allows'),
  ('life_routine', '{"1": {"day": "Monday", "wake": "07:30", "work": "co-working", "activities": "work, gym in the evening", "energy": "normal", "social": "low"}, "2": {"day": "Tuesday", "wake": "07:30", "work": "co-working", "activities": "work, personal project", "energy": "normal", "social": "moderate"}, "3": {"day": "Wednesday", "wake": "08:00", "work": "home", "activities": "work", "biweekly": {"activity": "therapy with Dr. Miriam", "iso_week_parity": 0}, "energy": "normal", "social": "moderate"}, "4": {"day": "Thursday", "wake": "07:30", "work": "co-working", "activities": "work, evening out", "energy": "high", "social": "high"}, "5": {"day": "Friday", "wake": "08:00", "work": "co-working", "activities": "work, casual plans", "energy": "high", "social": "high"}, "6": {"day": "Saturday", "wake": "09:30", "work": "off", "activities": "errands, hobby, friends", "energy": "high", "social": "high"}, "7": {"day": "Sunday", "wake": "10:00", "work": "off", "activities": "self-care, call with her mother, meal prep", "energy": "low", "social": "moderate"}}', 'routine per ISO weekday', 'her weekly routine in Berlin (wake, work, activities, energy, social); work "off" is a day off'),
  ('life_arc_kinds', '[{"kind": "project_deadline", "domain": "work", "typical_days": 14, "outcomes": [["success", 0.7], ["missed", 0.2], ["scope_changed", 0.1]]}, {"kind": "work_conflict", "domain": "work", "typical_days": 7, "outcomes": [["resolved", 0.6], ["unresolved", 0.3], ["escalated", 0.1]]}, {"kind": "career_opportunity", "domain": "work", "typical_days": 21, "outcomes": [["landed", 0.5], ["passed_over", 0.4], ["withdrew", 0.1]]}, {"kind": "friend_crisis", "domain": "social", "typical_days": 10, "outcomes": [["recovered", 0.6], ["ongoing", 0.3], ["strained", 0.1]]}, {"kind": "dating_interest", "domain": "social", "typical_days": 14, "outcomes": [["official", 0.3], ["fizzled", 0.4], ["still_talking", 0.3]]}, {"kind": "family_visit", "domain": "social", "typical_days": 5, "outcomes": [["went_well", 0.6], ["drama", 0.3], ["cancelled", 0.1]]}, {"kind": "health_goal", "domain": "personal", "typical_days": 30, "outcomes": [["achieved", 0.4], ["still_working", 0.4], ["gave_up", 0.2]]}, {"kind": "home_project", "domain": "personal", "typical_days": 14, "outcomes": [["completed", 0.5], ["in_progress", 0.3], ["abandoned", 0.2]]}, {"kind": "personal_growth", "domain": "personal", "typical_days": 21, "outcomes": [["breakthrough", 0.3], ["gradual", 0.5], ["setback", 0.2]]}]', 'arcs', 'her multi-day storylines: domain, typical days and outcome weights'),
  ('life_seeds', '{"people": [{"name": "Lena", "role": "her best friend"}, {"name": "Viktor", "role": "a complicated friend"}, {"name": "Yuki", "role": "her party friend"}, {"name": "Dr. Miriam", "role": "her therapist"}, {"name": "Alexei", "role": "her father"}, {"name": "Katya", "role": "her mother"}, {"name": "Lisa", "role": "co-working acquaintance"}, {"name": "Sarah", "role": "co-working acquaintance"}, {"name": "David", "role": "co-working acquaintance"}, {"name": "Jamie", "role": "a friend"}, {"name": "Mira", "role": "a friend"}], "places": ["her apartment", "the co-working space", "Bluestone Cafe", "Iron Works Gym", "Sunset Bar"], "ongoing_work": ["a vulnerability disclosure", "a conference talk", "redecorating her apartment"]}', 'seeds', 'the people, places and ongoing work her days are made of');
