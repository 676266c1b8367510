-- pgbench script: one scored exchange per transaction. Client c (of :clients) takes players base+c,
-- base+c+clients, base+c+2·clients, …, so concurrent calls never wait on one another's player lock and no
-- player is scored twice in a run. Scores barely move (+1/-1 deltas), so nobody reaches a boss.
\set i :i + 1
\set n 1 + (:base + :client_id + :clients * :i) % :players
select game.apply_exchange(bench.player_id(:n), '{"deltas": {"intimacy": 1, "passion": -1, "trust": 1, "secureness": -1}, "behaviors": [], "repair": {"attempted": false, "quality": null}, "vice_signals": [], "language": {"needy": 0, "distracted": 0}, "confidence": 0.9}', '2026-12-01 13:00:00+00');
