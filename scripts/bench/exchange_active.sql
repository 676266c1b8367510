-- pgbench script: one scored exchange per transaction for an active player (bench.seed_active_players: messages
-- today, a week of scored exchanges), on a clock that moves a second per call from :t0 seconds past 13:00, as real
-- traffic's does. Client c (of :clients) takes players first+c, first+c+clients, ... over :count players, so
-- concurrent calls never wait on one another's player lock.
\set i :i + 1
\set n :first + (:client_id + :clients * :i) % :count
\set s :t0 + :i
select game.apply_exchange(bench.player_id(:n), '{"deltas": {"intimacy": 1, "passion": -1, "trust": 1, "secureness": -1}, "behaviors": [], "repair": {"attempted": false, "quality": null}, "vice_signals": [], "language": {"needy": 0, "distracted": 0}, "confidence": 0.9}', '2026-12-01 13:00:00+00'::timestamptz + make_interval(secs => :s));
