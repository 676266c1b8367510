-- pgbench script: the exchange's floor (bench.exchange_floor), players chosen as exchange.sql chooses them (the run
-- gives each a base of its own, so no player is written by both).
\set i :i + 1
\set n 1 + (:base + :client_id + :clients * :i) % :players
select bench.exchange_floor(bench.player_id(:n), '2026-12-01 13:00:00+00');
