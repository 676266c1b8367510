-- The tunables snapshot starts from the rows seeded before its trigger existed (hand-written data).
insert into game.tunables_snapshot (id, value)
select true, coalesce(jsonb_object_agg(name, value), '{}'::jsonb) from game.tunables
on conflict (id) do update set value = excluded.value;
