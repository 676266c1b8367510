-- The /status bands: a vague phrase by the score's share of the chapter's boss threshold (first match wins).
insert into game.tunables (name, value, unit, meaning) values
  ('status_bands', '[{"below": 0.6, "band": "on thin ice"}, {"below": 0.8, "band": "it''s complicated"},
    {"below": 0.95, "band": "warming up to you"}, {"below": null, "band": "something is about to happen"}]',
   'share of the boss threshold', '/status phrase by score / boss threshold, first match wins')
on conflict (name) do nothing;
