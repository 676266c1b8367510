-- Pins the exposed surface (tables, views, functions per schema) and the guard rails every object must keep:
-- RLS on, a comment, an index for each foreign key, no SECURITY DEFINER function callable by API roles.
begin;
select plan(18);

select tables_are('public', array['chapters', 'users', 'engagement_state', 'engagement_history',
  'user_vice_preferences', 'conversations', 'messages', 'score_history', 'daily_summaries', 'emotional_states', 'life_events',
  'admin_audit_log'], 'public tables');
select tables_are('game', array['memory_facts', 'tunables', 'tunables_snapshot', 'conflict_state', 'boss_fights', 'rate_limits',
  'conversation_effects', 'conversation_threads', 'thoughts', 'ready_prompts',
  'life_arcs', 'life_people', 'touchpoints', 'touchpoint_occasions', 'psyche_states'], 'game tables');
select tables_are('private', array['telegram_updates', 'outbox', 'job_runs', 'job_leases', 'job_marks', 'llm_calls', 'llm_prices', 'conversation_jobs', 'telegram_signups', 'telegram_link_codes',
  'voice_sessions', 'voice_events', 'tool_calls', 'psyche_batches', 'psyche_requests', 'llm_cost_daily'], 'private tables');
select views_are('public', array['user_metrics', 'player_stats', 'conversation_list', 'timezone_options'], 'public views');
select functions_are('public', array['is_admin', 'update_settings'], 'public functions');
select functions_are('game', array['provision_player', 'refresh_tunables_snapshot', 'tunables_json', 'score_of', 'lock_player', 'touch_interaction', 'after_interaction',
  'write_history', 'queue_event', 'vice_categories', 'behavior_tags', 'begin_turn', 'rate_limit_verdict', 'boss_step', 'top_vices', 'save_phone', 'engagement_inputs', 'engagement_transition', 'step_engagement', 'conflict_zone',
  'cooled_temperature', 'step_conflict', 'vice_intensity', 'seed_vices', 'apply_vice_signals', 'start_boss',
  'apply_boss_outcome', 'expire_due_boss_fight', 'boss_turn', 'boss_call', 'begin_boss_reply', 'resolve_boss', 'expire_boss_fights', 'check_analysis',
  'apply_exchange', 'apply_decay', 'reset_player', 'voice_availability', 'check_rate_limit', 'note_rate_refusal', 'reply_delay',
  'close_conversations', 'close_idle_conversations', 'store_player_message', 'store_nikita_message', 'bind_telegram',
  'complete_onboarding', 'player_status', 'consume_link_code',
  'apply_conversation_effects', 'cool_conflict', 'emotional_state', 'check_conversation_effects', 'emotion_tones',
  'emotion_life_events', 'emotion_deltas',
  'remember_fact', 'search_memory', 'check_fact', 'fact_hash', 'memory_exact_scan_max', 'memory_rrf_depth',
  'memory_scan_is_exact', 'memory_text_words', 'memory_words_query', 'walk_memory_index', 'memory_vector_ranking',
  'memory_text_ranking', 'memory_candidates',
  'save_conversation_memory', 'memory_context', 'check_memory_items',
  'conversation_for_pipeline', 'set_conversation_summary', 'save_ready_prompt', 'prompt_inputs', 'reply_context',
  'start_voice_session', 'start_outbound_session', 'record_post_call', 'voice_session', 'time_of_day', 'voice_call_context',
  'plan_life_day', 'save_life_day', 'due_life_players', 'todays_life_events', 'berlin_date', 'life_eligible',
  'life_day_key', 'life_draw', 'life_arc_resolve_chance', 'life_arc_outcome', 'life_slots', 'life_mood', 'life_feeling',
  'check_life_events', 'life_event_limits',
  'evaluate_touchpoint', 'evaluate_touchpoints', 'claim_due_touchpoints', 'check_touchpoint_text', 'finish_touchpoint',
  'skip_touchpoint', 'release_touchpoint', 'touchpoint_rate', 'gap_trigger_chance', 'event_trigger_chance',
  'touchpoint_ineligibility', 'touchpoint_spacing_ok', 'touchpoint_occasion_pending', 'roll_touchpoint_occasion',
  'touchpoint_draw', 'touchpoint_event_draw', 'life_event_magnitude', 'life_event_slot_on', 'silence_modifier',
  'strategic_silence', 'touchpoint_summary',
  'current_psyche', 'psyche_tier', 'psyche_context', 'save_psyche_state', 'claim_psyche_requests', 'record_psyche_batch',
  'release_psyche_requests', 'open_psyche_batches', 'note_psyche_batch', 'save_psyche_results', 'finish_psyche_batch',
  'default_psyche', 'psyche_limits', 'check_psyche_state', 'psyche_eligible', 'psyche_phrase_in', 'psyche_request_failed',
  'issue_link_code', 'admin_adjust', 'admin_reset', 'admin_reprocess', 'require_admin', 'check_admin_deltas',
  'record_admin_action',
  'due_daily_summaries', 'daily_summary_inputs', 'save_daily_summary', 'cleanup', 'daily_summary_numbers', 'summary_tones',
  'check_daily_summary', 'apply_retention'], 'game functions');

select functions_are('private', array['check_user_timezone', 'touch_updated_at', 'claim_inbox', 'inbox_claim_held', 'save_inbox_progress', 'finish_inbox', 'inbox_chats_due', 'fail_inbox',
  'claim_outbox', 'outbox_outlook', 'typing_window', 'release_outbox', 'mark_sending', 'mark_sent', 'mark_send_failed', 'mark_unconfirmed', 'invoke_job',
  'take_job_lease', 'release_job_lease', 'claim_conversation_jobs', 'record_conversation_stage', 'finish_conversation_job',
  'fail_conversation_job',
  'set_session_call', 'fail_outbound_session', 'tool_call_replay', 'save_tool_call', 'store_voice_call', 'fail_voice_call',
  'llm_cost', 'delete_score_history_of_players', 'detach_score_history_from_conversations', 'llm_costs',
  'retain_score_history', 'retain_messages', 'retain_llm_calls', 'retain_inbox', 'retain_outbox'], 'private functions');

select is(
  (select array_agg(c.oid::regclass::text order by 1) from pg_class c join pg_namespace n on n.oid = c.relnamespace
   where n.nspname in ('public', 'game', 'private') and c.relkind in ('r', 'p') and not c.relrowsecurity),
  null, 'every table in public, game and private has RLS enabled');

select is(
  (select array_agg(c.oid::regclass::text order by 1) from pg_class c join pg_namespace n on n.oid = c.relnamespace
   where n.nspname in ('public', 'game', 'private') and c.relkind in ('r', 'p', 'v')
     and obj_description(c.oid, 'pg_class') is null),
  null, 'every table and view has a comment');

select is(
  (select array_agg(p.oid::regprocedure::text order by 1) from pg_proc p join pg_namespace n on n.oid = p.pronamespace
   where n.nspname in ('public', 'game', 'private') and obj_description(p.oid, 'pg_proc') is null),
  null, 'every function has a comment');

select is(
  (select array_agg(p.oid::regprocedure::text order by 1) from pg_proc p join pg_namespace n on n.oid = p.pronamespace
   where n.nspname in ('public', 'game', 'private')
     and not exists (select 1 from unnest(p.proconfig) c where c like 'search_path=%')),
  null, 'every function pins its search_path');

select is(
  (select array_agg(p.oid::regprocedure::text order by 1) from pg_proc p join pg_namespace n on n.oid = p.pronamespace
   where n.nspname in ('public', 'game', 'private') and p.prosecdef
     and (has_function_privilege('anon', p.oid, 'execute') or has_function_privilege('authenticated', p.oid, 'execute'))),
  null, 'no SECURITY DEFINER function is executable by anon or authenticated');

-- Every foreign key is covered by an index whose leading columns are the key's columns.
select is(
  (select array_agg(format('%s(%s)', con.conrelid::regclass, con.conname) order by 1)
   from pg_constraint con join pg_namespace n on n.oid = con.connamespace
   where con.contype = 'f' and n.nspname in ('public', 'game', 'private')
     and not exists (select 1 from pg_index i where i.indrelid = con.conrelid
       and (i.indkey::int2[])[0:array_length(con.conkey, 1) - 1] = con.conkey)),
  null, 'every foreign key has an index');

select is(
  (select array_agg(format('%s.%s', table_schema, table_name) order by 1) from information_schema.role_table_grants
   where grantee = 'anon' and table_schema in ('public', 'game', 'private')),
  null, 'anon holds no privilege on any table');

select is(
  (select array_agg(distinct format('%s.%s', table_schema, table_name)) from information_schema.role_table_grants
   where grantee = 'authenticated' and table_schema in ('game', 'private')),
  null, 'authenticated holds no privilege in game or private');

select is(
  (select array_agg(distinct format('%s.%s:%s', table_schema, table_name, privilege_type)) from information_schema.role_table_grants
   where grantee = 'authenticated' and table_schema = 'public' and privilege_type <> 'SELECT'),
  null, 'authenticated holds no table-wide write privilege in public');

-- The engine is the backend's alone: every game function is executable by service_role and nobody else.
select is(
  (select array_agg(p.proname::text order by 1) from pg_proc p join pg_namespace n on n.oid = p.pronamespace
   where n.nspname = 'game' and p.prorettype <> 'trigger'::regtype
     and (has_function_privilege('anon', p.oid, 'execute') or has_function_privilege('authenticated', p.oid, 'execute')
          or not has_function_privilege('service_role', p.oid, 'execute'))),
  null, 'game functions (other than triggers) are executable by service_role only');

select results_eq(
  $$select format('%s | %s | %s', jobname, schedule, command) collate "default" from cron.job order by 1$$,
  $$values ('nikita-boss-timeouts | 5 * * * * | select game.expire_boss_fights(now())'),
           ('nikita-cleanup | 30 * * * * | select game.cleanup(now())'),
           ('nikita-close-idle-conversations | * * * * * | select game.close_idle_conversations(now())'),
           ('nikita-daily-summaries | 20 * * * * | select private.invoke_job(''daily-summaries'')'),
           ('nikita-decay-0 | 0 * * * * | select game.apply_decay(now(), 0, 2)'),
           ('nikita-decay-1 | 0 * * * * | select game.apply_decay(now(), 1, 2)'),
           ('nikita-deliver | * * * * * | select private.invoke_job(''deliver'')'),
           ('nikita-life-sim | 10 * * * * | select private.invoke_job(''life-sim'')'),
           ('nikita-process-conversations | * * * * * | select private.invoke_job(''process-conversations'')'),
           ('nikita-process-inbox | * * * * * | select private.invoke_job(''process-inbox'')'),
           ('nikita-psyche-collect | */10 * * * * | select private.invoke_job(''psyche-collect'')'),
           ('nikita-psyche-submit | 15 * * * * | select private.invoke_job(''psyche-submit'')'),
           ('nikita-retention | 40 3 * * * | select game.apply_retention(now())'),
           ('nikita-touchpoints | */5 * * * * | select private.invoke_job(''touchpoints'')')$$,
  'the schedules of PLATFORM.md §5.2 (HTTP jobs every minute on pg_cron 1.4 instead of every 5 seconds)');

select * from finish();
rollback;
