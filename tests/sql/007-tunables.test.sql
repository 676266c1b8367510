-- The tunables every engine call reads: game.tunables_json() is compiled from game.tunables whenever a row changes,
-- in the changing transaction, and returns exactly the rows (never a stale copy).
begin;
select plan(11);

select is(game.tunables_json(), (select jsonb_object_agg(name, value) from game.tunables),
  'tunables_json() holds every tunable, with its value');
select ok((select p.prosrc from pg_proc p where p.oid = 'game.tunables_json()'::regprocedure) !~ 'tunables_snapshot',
  'the compiled function reads no table: its values are a literal');

-- A designer's change, as service_role, shows at once in the same transaction.
select tests.authenticate_as_service_role();
update game.tunables set value = '7' where name = 'boss_cooldown';
select is(game.tunables_json() -> 'boss_cooldown', '7'::jsonb, 'an updated tunable is read by the next call');
insert into game.tunables (name, value, unit, meaning) values ('test_only_knob', '[1, 2]', 'none', 'a test row');
select is(game.tunables_json() -> 'test_only_knob', '[1, 2]'::jsonb, 'an inserted tunable is read by the next call');
delete from game.tunables where name = 'test_only_knob';
select ok(not game.tunables_json() ? 'test_only_knob', 'a deleted tunable is gone from the next call');
select is(game.tunables_json(), (select jsonb_object_agg(name, value) from game.tunables),
  'after the changes tunables_json() still equals the rows');
select is(game.tunables_json(), (select value from game.tunables_snapshot), 'and the snapshot it was compiled from');
select tests.clear_authentication();

-- Rolled back, the change leaves the compiled values as they were.
savepoint before_change;
update game.tunables set value = '99' where name = 'boss_cooldown';
rollback to savepoint before_change;
select is(game.tunables_json() -> 'boss_cooldown', '7'::jsonb, 'a rolled-back change leaves the values as they were');

-- No client role may write a tunable, so none can recompile.
select tests.create_player('nobody');
select tests.authenticate_as('nobody');
select is(tests.attempt($$update game.tunables set value = '1' where name = 'boss_cooldown'$$), '42501',
  'authenticated cannot write a tunable');
select tests.clear_authentication();
select tests.authenticate_as_anon();
select is(tests.attempt($$update game.tunables set value = '1' where name = 'boss_cooldown'$$), '42501',
  'anon cannot write a tunable');
select tests.clear_authentication();
select is(game.tunables_json() -> 'boss_cooldown', '7'::jsonb, 'and the values are as service_role left them');

select * from finish();
rollback;
