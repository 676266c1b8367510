
export type Json = string | number | boolean | null | { [key: string]: Json | undefined } | Json[]

export type Database = {
  
  "public": {
          Tables: {
            "admin_audit_log": {
                  Row: {
                    "action": string,"admin_id": string | null,"at": string,"details": NonNullable<Json>,"id": number,"target_user_id": string | null
                  }
                  ComputedFields: never
                  Insert: {
                    "action": string,"admin_id"?: string | null,"at": string,"details"?: NonNullable<Json>,"id"?: never,"target_user_id"?: string | null
                  }
                  Update: {
                    "action"?: string,"admin_id"?: string | null,"at"?: string,"details"?: NonNullable<Json>,"id"?: never,"target_user_id"?: string | null
                  }
                  Relationships: [
                    {
      foreignKeyName: "admin_audit_log_admin_id_fkey"
      columns: ["admin_id"]
isOneToOne: false
      referencedRelation: "player_stats"
      referencedColumns: ["user_id"]
    },{
      foreignKeyName: "admin_audit_log_admin_id_fkey"
      columns: ["admin_id"]
isOneToOne: false
      referencedRelation: "user_metrics"
      referencedColumns: ["user_id"]
    },{
      foreignKeyName: "admin_audit_log_admin_id_fkey"
      columns: ["admin_id"]
isOneToOne: false
      referencedRelation: "users"
      referencedColumns: ["id"]
    },{
      foreignKeyName: "admin_audit_log_target_user_id_fkey"
      columns: ["target_user_id"]
isOneToOne: false
      referencedRelation: "player_stats"
      referencedColumns: ["user_id"]
    },{
      foreignKeyName: "admin_audit_log_target_user_id_fkey"
      columns: ["target_user_id"]
isOneToOne: false
      referencedRelation: "user_metrics"
      referencedColumns: ["user_id"]
    },{
      foreignKeyName: "admin_audit_log_target_user_id_fkey"
      columns: ["target_user_id"]
isOneToOne: false
      referencedRelation: "users"
      referencedColumns: ["id"]
    }
                  ]
                },"chapters": {
                  Row: {
                    "boss_name": string,"boss_threshold": number,"chapter": number,"decay_daily_cap": number,"decay_grace_hours": number,"decay_per_hour": number,"delta_cap": number,"name": string
                  }
                  ComputedFields: never
                  Insert: {
                    "boss_name": string,"boss_threshold": number,"chapter": number,"decay_daily_cap": number,"decay_grace_hours": number,"decay_per_hour": number,"delta_cap": number,"name": string
                  }
                  Update: {
                    "boss_name"?: string,"boss_threshold"?: number,"chapter"?: number,"decay_daily_cap"?: number,"decay_grace_hours"?: number,"decay_per_hour"?: number,"delta_cap"?: number,"name"?: string
                  }
                  Relationships: [
                    
                  ]
                },"conversations": {
                  Row: {
                    "chapter_at_start": number,"elevenlabs_conversation_id": string | null,"emotional_tone": string | null,"ended_at": string | null,"id": string,"is_boss_fight": boolean,"last_message_at": string,"platform": string,"removed_message_count": number | null,"score_delta": number | null,"scored_at": string | null,"started_at": string,"status": string,"summary": string | null,"user_id": string
                  }
                  ComputedFields: never
                  Insert: {
                    "chapter_at_start": number,"elevenlabs_conversation_id"?: string | null,"emotional_tone"?: string | null,"ended_at"?: string | null,"id"?: string,"is_boss_fight"?: boolean,"last_message_at": string,"platform": string,"removed_message_count"?: number | null,"score_delta"?: number | null,"scored_at"?: string | null,"started_at": string,"status"?: string,"summary"?: string | null,"user_id": string
                  }
                  Update: {
                    "chapter_at_start"?: number,"elevenlabs_conversation_id"?: string | null,"emotional_tone"?: string | null,"ended_at"?: string | null,"id"?: string,"is_boss_fight"?: boolean,"last_message_at"?: string,"platform"?: string,"removed_message_count"?: number | null,"score_delta"?: number | null,"scored_at"?: string | null,"started_at"?: string,"status"?: string,"summary"?: string | null,"user_id"?: string
                  }
                  Relationships: [
                    {
      foreignKeyName: "conversations_user_id_fkey"
      columns: ["user_id"]
isOneToOne: false
      referencedRelation: "player_stats"
      referencedColumns: ["user_id"]
    },{
      foreignKeyName: "conversations_user_id_fkey"
      columns: ["user_id"]
isOneToOne: false
      referencedRelation: "user_metrics"
      referencedColumns: ["user_id"]
    },{
      foreignKeyName: "conversations_user_id_fkey"
      columns: ["user_id"]
isOneToOne: false
      referencedRelation: "users"
      referencedColumns: ["id"]
    }
                  ]
                },"daily_summaries": {
                  Row: {
                    "conversations_count": number,"created_at": string,"date": string,"decay_applied": number,"emotional_tone": string,"id": number,"key_moments": NonNullable<Json>,"score_end": number,"score_start": number,"summary_text": string,"user_id": string
                  }
                  ComputedFields: never
                  Insert: {
                    "conversations_count"?: number,"created_at"?: string,"date": string,"decay_applied"?: number,"emotional_tone"?: string,"id"?: never,"key_moments"?: NonNullable<Json>,"score_end": number,"score_start": number,"summary_text": string,"user_id": string
                  }
                  Update: {
                    "conversations_count"?: number,"created_at"?: string,"date"?: string,"decay_applied"?: number,"emotional_tone"?: string,"id"?: never,"key_moments"?: NonNullable<Json>,"score_end"?: number,"score_start"?: number,"summary_text"?: string,"user_id"?: string
                  }
                  Relationships: [
                    {
      foreignKeyName: "daily_summaries_user_id_fkey"
      columns: ["user_id"]
isOneToOne: false
      referencedRelation: "player_stats"
      referencedColumns: ["user_id"]
    },{
      foreignKeyName: "daily_summaries_user_id_fkey"
      columns: ["user_id"]
isOneToOne: false
      referencedRelation: "user_metrics"
      referencedColumns: ["user_id"]
    },{
      foreignKeyName: "daily_summaries_user_id_fkey"
      columns: ["user_id"]
isOneToOne: false
      referencedRelation: "users"
      referencedColumns: ["id"]
    }
                  ]
                },"emotional_states": {
                  Row: {
                    "arousal": number,"conflict_state": string,"conversation_id": string | null,"dominance": number,"id": number,"intimacy": number,"recorded_at": string,"user_id": string,"valence": number
                  }
                  ComputedFields: never
                  Insert: {
                    "arousal": number,"conflict_state": string,"conversation_id"?: string | null,"dominance": number,"id"?: never,"intimacy": number,"recorded_at": string,"user_id": string,"valence": number
                  }
                  Update: {
                    "arousal"?: number,"conflict_state"?: string,"conversation_id"?: string | null,"dominance"?: number,"id"?: never,"intimacy"?: number,"recorded_at"?: string,"user_id"?: string,"valence"?: number
                  }
                  Relationships: [
                    {
      foreignKeyName: "emotional_states_conversation_id_fkey"
      columns: ["conversation_id"]
isOneToOne: false
      referencedRelation: "conversation_list"
      referencedColumns: ["id"]
    },{
      foreignKeyName: "emotional_states_conversation_id_fkey"
      columns: ["conversation_id"]
isOneToOne: false
      referencedRelation: "conversations"
      referencedColumns: ["id"]
    },{
      foreignKeyName: "emotional_states_user_id_fkey"
      columns: ["user_id"]
isOneToOne: false
      referencedRelation: "player_stats"
      referencedColumns: ["user_id"]
    },{
      foreignKeyName: "emotional_states_user_id_fkey"
      columns: ["user_id"]
isOneToOne: false
      referencedRelation: "user_metrics"
      referencedColumns: ["user_id"]
    },{
      foreignKeyName: "emotional_states_user_id_fkey"
      columns: ["user_id"]
isOneToOne: false
      referencedRelation: "users"
      referencedColumns: ["id"]
    }
                  ]
                },"engagement_history": {
                  Row: {
                    "calibration_score": number | null,"created_at": string,"from_state": string,"id": number,"reason": string,"to_state": string,"user_id": string
                  }
                  ComputedFields: never
                  Insert: {
                    "calibration_score"?: number | null,"created_at": string,"from_state": string,"id"?: never,"reason": string,"to_state": string,"user_id": string
                  }
                  Update: {
                    "calibration_score"?: number | null,"created_at"?: string,"from_state"?: string,"id"?: never,"reason"?: string,"to_state"?: string,"user_id"?: string
                  }
                  Relationships: [
                    {
      foreignKeyName: "engagement_history_user_id_fkey"
      columns: ["user_id"]
isOneToOne: false
      referencedRelation: "player_stats"
      referencedColumns: ["user_id"]
    },{
      foreignKeyName: "engagement_history_user_id_fkey"
      columns: ["user_id"]
isOneToOne: false
      referencedRelation: "user_metrics"
      referencedColumns: ["user_id"]
    },{
      foreignKeyName: "engagement_history_user_id_fkey"
      columns: ["user_id"]
isOneToOne: false
      referencedRelation: "users"
      referencedColumns: ["id"]
    }
                  ]
                },"engagement_state": {
                  Row: {
                    "calibration_score": number | null,"clingy_days": number,"distant_days": number,"high_streak": number,"low_streak": number,"multiplier": number,"non_clingy_days": number,"out_of_zone_days": number,"recovery_streak": number,"state": string,"step_day": string | null,"step_day_flag": string | null,"updated_at": string,"user_id": string
                  }
                  ComputedFields: never
                  Insert: {
                    "calibration_score"?: number | null,"clingy_days"?: number,"distant_days"?: number,"high_streak"?: number,"low_streak"?: number,"multiplier"?: number,"non_clingy_days"?: number,"out_of_zone_days"?: number,"recovery_streak"?: number,"state"?: string,"step_day"?: string | null,"step_day_flag"?: string | null,"updated_at"?: string,"user_id": string
                  }
                  Update: {
                    "calibration_score"?: number | null,"clingy_days"?: number,"distant_days"?: number,"high_streak"?: number,"low_streak"?: number,"multiplier"?: number,"non_clingy_days"?: number,"out_of_zone_days"?: number,"recovery_streak"?: number,"state"?: string,"step_day"?: string | null,"step_day_flag"?: string | null,"updated_at"?: string,"user_id"?: string
                  }
                  Relationships: [
                    {
      foreignKeyName: "engagement_state_user_id_fkey"
      columns: ["user_id"]
isOneToOne: true
      referencedRelation: "player_stats"
      referencedColumns: ["user_id"]
    },{
      foreignKeyName: "engagement_state_user_id_fkey"
      columns: ["user_id"]
isOneToOne: true
      referencedRelation: "user_metrics"
      referencedColumns: ["user_id"]
    },{
      foreignKeyName: "engagement_state_user_id_fkey"
      columns: ["user_id"]
isOneToOne: true
      referencedRelation: "users"
      referencedColumns: ["id"]
    }
                  ]
                },"life_events": {
                  Row: {
                    "arc_id": number | null,"created_at": string,"description": string,"domain": string,"emotional_impact": NonNullable<Json>,"event_date": string,"event_type": string,"id": number,"importance": number,"ordinal": number,"people": (string)[],"places": (string)[],"time_of_day": string,"user_id": string
                  }
                  ComputedFields: never
                  Insert: {
                    "arc_id"?: number | null,"created_at"?: string,"description": string,"domain": string,"emotional_impact": NonNullable<Json>,"event_date": string,"event_type": string,"id"?: never,"importance": number,"ordinal": number,"people"?: (string)[],"places"?: (string)[],"time_of_day": string,"user_id": string
                  }
                  Update: {
                    "arc_id"?: number | null,"created_at"?: string,"description"?: string,"domain"?: string,"emotional_impact"?: NonNullable<Json>,"event_date"?: string,"event_type"?: string,"id"?: never,"importance"?: number,"ordinal"?: number,"people"?: (string)[],"places"?: (string)[],"time_of_day"?: string,"user_id"?: string
                  }
                  Relationships: [
                    {
      foreignKeyName: "life_events_user_id_fkey"
      columns: ["user_id"]
isOneToOne: false
      referencedRelation: "player_stats"
      referencedColumns: ["user_id"]
    },{
      foreignKeyName: "life_events_user_id_fkey"
      columns: ["user_id"]
isOneToOne: false
      referencedRelation: "user_metrics"
      referencedColumns: ["user_id"]
    },{
      foreignKeyName: "life_events_user_id_fkey"
      columns: ["user_id"]
isOneToOne: false
      referencedRelation: "users"
      referencedColumns: ["id"]
    }
                  ]
                },"messages": {
                  Row: {
                    "content": string,"conversation_id": string,"created_at": string,"id": number,"outbox_id": number | null,"role": string,"telegram_update_id": number | null,"time_in_call_secs": number | null,"user_id": string
                  }
                  ComputedFields: never
                  Insert: {
                    "content": string,"conversation_id": string,"created_at": string,"id"?: never,"outbox_id"?: number | null,"role": string,"telegram_update_id"?: number | null,"time_in_call_secs"?: number | null,"user_id": string
                  }
                  Update: {
                    "content"?: string,"conversation_id"?: string,"created_at"?: string,"id"?: never,"outbox_id"?: number | null,"role"?: string,"telegram_update_id"?: number | null,"time_in_call_secs"?: number | null,"user_id"?: string
                  }
                  Relationships: [
                    {
      foreignKeyName: "messages_conversation_id_fkey"
      columns: ["conversation_id"]
isOneToOne: false
      referencedRelation: "conversation_list"
      referencedColumns: ["id"]
    },{
      foreignKeyName: "messages_conversation_id_fkey"
      columns: ["conversation_id"]
isOneToOne: false
      referencedRelation: "conversations"
      referencedColumns: ["id"]
    },{
      foreignKeyName: "messages_user_id_fkey"
      columns: ["user_id"]
isOneToOne: false
      referencedRelation: "player_stats"
      referencedColumns: ["user_id"]
    },{
      foreignKeyName: "messages_user_id_fkey"
      columns: ["user_id"]
isOneToOne: false
      referencedRelation: "user_metrics"
      referencedColumns: ["user_id"]
    },{
      foreignKeyName: "messages_user_id_fkey"
      columns: ["user_id"]
isOneToOne: false
      referencedRelation: "users"
      referencedColumns: ["id"]
    }
                  ]
                },"score_history": {
                  Row: {
                    "chapter": number,"conversation_id": string | null,"event_details": NonNullable<Json>,"event_type": string,"id": number,"recorded_at": string,"score": number,"user_id": string
                  }
                  ComputedFields: never
                  Insert: {
                    "chapter": number,"conversation_id"?: string | null,"event_details"?: NonNullable<Json>,"event_type": string,"id"?: never,"recorded_at": string,"score": number,"user_id": string
                  }
                  Update: {
                    "chapter"?: number,"conversation_id"?: string | null,"event_details"?: NonNullable<Json>,"event_type"?: string,"id"?: never,"recorded_at"?: string,"score"?: number,"user_id"?: string
                  }
                  Relationships: [
                    
                  ]
                },"user_vice_preferences": {
                  Row: {
                    "category": string,"discovered_at": string | null,"engagement_score": number,"intensity_level": number,"updated_at": string,"user_id": string
                  }
                  ComputedFields: never
                  Insert: {
                    "category": string,"discovered_at"?: string | null,"engagement_score"?: number,"intensity_level"?: number,"updated_at"?: string,"user_id": string
                  }
                  Update: {
                    "category"?: string,"discovered_at"?: string | null,"engagement_score"?: number,"intensity_level"?: number,"updated_at"?: string,"user_id"?: string
                  }
                  Relationships: [
                    {
      foreignKeyName: "user_vice_preferences_user_id_fkey"
      columns: ["user_id"]
isOneToOne: false
      referencedRelation: "player_stats"
      referencedColumns: ["user_id"]
    },{
      foreignKeyName: "user_vice_preferences_user_id_fkey"
      columns: ["user_id"]
isOneToOne: false
      referencedRelation: "user_metrics"
      referencedColumns: ["user_id"]
    },{
      foreignKeyName: "user_vice_preferences_user_id_fkey"
      columns: ["user_id"]
isOneToOne: false
      referencedRelation: "users"
      referencedColumns: ["id"]
    }
                  ]
                },"users": {
                  Row: {
                    "boss_attempts": number,"boss_fight_started_at": string | null,"chapter": number,"city": string | null,"cool_down_until": string | null,"created_at": string,"darkness_level": number | null,"days_played": number,"decay_day": string | null,"decay_day_amount": number,"decay_through": string | null,"display_name": string | null,"game_over_reason": string | null,"game_started_at": string,"game_status": string,"id": string,"intimacy": number,"last_decay_warning_at": string | null,"last_interaction_at": string | null,"last_played_on": string | null,"metrics_updated_at": string,"notifications_enabled": boolean,"onboarded_at": string | null,"onboarding_status": string,"passion": number,"phone": string | null,"relationship_score": number,"secureness": number,"telegram_chat_id": number | null,"telegram_id": number | null,"telegram_unreachable_at": string | null,"timezone": string,"trust": number,"updated_at": string,"vulnerability_exchanges": number
                  }
                  ComputedFields: never
                  Insert: {
                    "boss_attempts"?: number,"boss_fight_started_at"?: string | null,"chapter"?: number,"city"?: string | null,"cool_down_until"?: string | null,"created_at"?: string,"darkness_level"?: number | null,"days_played"?: number,"decay_day"?: string | null,"decay_day_amount"?: number,"decay_through"?: string | null,"display_name"?: string | null,"game_over_reason"?: string | null,"game_started_at": string,"game_status"?: string,"id": string,"intimacy"?: number,"last_decay_warning_at"?: string | null,"last_interaction_at"?: string | null,"last_played_on"?: string | null,"metrics_updated_at"?: string,"notifications_enabled"?: boolean,"onboarded_at"?: string | null,"onboarding_status"?: string,"passion"?: number,"phone"?: string | null,"relationship_score"?: number,"secureness"?: number,"telegram_chat_id"?: number | null,"telegram_id"?: number | null,"telegram_unreachable_at"?: string | null,"timezone"?: string,"trust"?: number,"updated_at"?: string,"vulnerability_exchanges"?: number
                  }
                  Update: {
                    "boss_attempts"?: number,"boss_fight_started_at"?: string | null,"chapter"?: number,"city"?: string | null,"cool_down_until"?: string | null,"created_at"?: string,"darkness_level"?: number | null,"days_played"?: number,"decay_day"?: string | null,"decay_day_amount"?: number,"decay_through"?: string | null,"display_name"?: string | null,"game_over_reason"?: string | null,"game_started_at"?: string,"game_status"?: string,"id"?: string,"intimacy"?: number,"last_decay_warning_at"?: string | null,"last_interaction_at"?: string | null,"last_played_on"?: string | null,"metrics_updated_at"?: string,"notifications_enabled"?: boolean,"onboarded_at"?: string | null,"onboarding_status"?: string,"passion"?: number,"phone"?: string | null,"relationship_score"?: number,"secureness"?: number,"telegram_chat_id"?: number | null,"telegram_id"?: number | null,"telegram_unreachable_at"?: string | null,"timezone"?: string,"trust"?: number,"updated_at"?: string,"vulnerability_exchanges"?: number
                  }
                  Relationships: [
                    
                  ]
                }
          }
          Views: {
            "conversation_list": {
                  Row: {
                    "emotional_tone": string | null,"ended_at": string | null,"id": string,"is_boss_fight": boolean,"message_count": number | null,"platform": string,"score_delta": number | null,"started_at": string,"summary": string | null,"user_id": string
                  }
                  ComputedFields: never
                  Insert: {
                           "emotional_tone"?: string | null,"ended_at"?: string | null,"id"?: string | null,"is_boss_fight"?: boolean | null,"message_count"?: never,"platform"?: string | null,"score_delta"?: number | null,"started_at"?: string | null,"summary"?: string | null,"user_id"?: string | null
                         }
                        Update: {
                           "emotional_tone"?: string | null,"ended_at"?: string | null,"id"?: string | null,"is_boss_fight"?: boolean | null,"message_count"?: never,"platform"?: string | null,"score_delta"?: number | null,"started_at"?: string | null,"summary"?: string | null,"user_id"?: string | null
                         }
                        Relationships: [
                    {
      foreignKeyName: "conversations_user_id_fkey"
      columns: ["user_id"]
isOneToOne: false
      referencedRelation: "player_stats"
      referencedColumns: ["user_id"]
    },{
      foreignKeyName: "conversations_user_id_fkey"
      columns: ["user_id"]
isOneToOne: false
      referencedRelation: "user_metrics"
      referencedColumns: ["user_id"]
    },{
      foreignKeyName: "conversations_user_id_fkey"
      columns: ["user_id"]
isOneToOne: false
      referencedRelation: "users"
      referencedColumns: ["id"]
    }
                  ]
                },"player_stats": {
                  Row: {
                    "boss_attempts": number,"boss_threshold": number,"chapter": number,"chapter_name": string,"days_played": number,"decay_per_hour": number,"decay_starts_at": string | null,"display_name": string | null,"game_status": string,"is_decaying": boolean | null,"last_interaction_at": string | null,"onboarded_at": string | null,"progress_to_boss": number | null,"projected_score_24h": number | null,"relationship_score": number,"user_id": string
                  }
                  ComputedFields: never
                  Relationships: [
                    
                  ]
                },"timezone_options": {
                  Row: {
                    "name": string | null,"utc_offset": string | null
                  }
                  ComputedFields: never
                  Relationships: [
                    
                  ]
                },"user_metrics": {
                  Row: {
                    "intimacy": number,"passion": number,"secureness": number,"trust": number,"updated_at": string,"user_id": string
                  }
                  ComputedFields: never
                  Insert: {
                           "intimacy"?: number | null,"passion"?: number | null,"secureness"?: number | null,"trust"?: number | null,"updated_at"?: string | null,"user_id"?: string | null
                         }
                        Update: {
                           "intimacy"?: number | null,"passion"?: number | null,"secureness"?: number | null,"trust"?: number | null,"updated_at"?: string | null,"user_id"?: string | null
                         }
                        Relationships: [
                    
                  ]
                }
          }
          Functions: {
            "is_admin":
{ Args: Record<PropertyKey, never>; Returns: boolean
                           },
"update_settings":
{ Args: { "p_notifications_enabled"?: boolean,"p_timezone"?: string }; Returns: Json
                           }
          }
          Enums: {
            [_ in never]: never
          }
          CompositeTypes: {
            [_ in never]: never
          }
        }
}

type DatabaseWithoutInternals = Omit<Database, '__InternalSupabase'>

type DefaultSchema = DatabaseWithoutInternals[Extract<keyof Database, "public">]

export type Tables<
  DefaultSchemaTableNameOrOptions extends
    | keyof (DefaultSchema["Tables"] & DefaultSchema["Views"])
    | { schema: keyof DatabaseWithoutInternals },
  TableName extends DefaultSchemaTableNameOrOptions extends {
    schema: keyof DatabaseWithoutInternals
  }
    ? keyof (DatabaseWithoutInternals[DefaultSchemaTableNameOrOptions["schema"]]["Tables"] &
        DatabaseWithoutInternals[DefaultSchemaTableNameOrOptions["schema"]]["Views"])
    : never = never
> = DefaultSchemaTableNameOrOptions extends { schema: keyof DatabaseWithoutInternals }
  ? (DatabaseWithoutInternals[DefaultSchemaTableNameOrOptions["schema"]]["Tables"] &
      DatabaseWithoutInternals[DefaultSchemaTableNameOrOptions["schema"]]["Views"])[TableName] extends {
      Row: infer R
    }
    ? R
    : never
  : DefaultSchemaTableNameOrOptions extends keyof (DefaultSchema["Tables"] & DefaultSchema["Views"])
  ? (DefaultSchema["Tables"] & DefaultSchema["Views"])[DefaultSchemaTableNameOrOptions] extends {
      Row: infer R
    }
    ? R
    : never
  : never

export type TablesInsert<
  DefaultSchemaTableNameOrOptions extends
    | keyof DefaultSchema["Tables"]
    | { schema: keyof DatabaseWithoutInternals },
  TableName extends DefaultSchemaTableNameOrOptions extends {
    schema: keyof DatabaseWithoutInternals
  }
    ? keyof DatabaseWithoutInternals[DefaultSchemaTableNameOrOptions["schema"]]["Tables"]
    : never = never
> = DefaultSchemaTableNameOrOptions extends { schema: keyof DatabaseWithoutInternals }
  ? DatabaseWithoutInternals[DefaultSchemaTableNameOrOptions["schema"]]["Tables"][TableName] extends {
      Insert: infer I
    }
    ? I
    : never
  : DefaultSchemaTableNameOrOptions extends keyof DefaultSchema["Tables"]
  ? DefaultSchema["Tables"][DefaultSchemaTableNameOrOptions] extends {
      Insert: infer I
    }
    ? I
    : never
  : never

export type TablesUpdate<
  DefaultSchemaTableNameOrOptions extends
    | keyof DefaultSchema["Tables"]
    | { schema: keyof DatabaseWithoutInternals },
  TableName extends DefaultSchemaTableNameOrOptions extends {
    schema: keyof DatabaseWithoutInternals
  }
    ? keyof DatabaseWithoutInternals[DefaultSchemaTableNameOrOptions["schema"]]["Tables"]
    : never = never
> = DefaultSchemaTableNameOrOptions extends { schema: keyof DatabaseWithoutInternals }
  ? DatabaseWithoutInternals[DefaultSchemaTableNameOrOptions["schema"]]["Tables"][TableName] extends {
      Update: infer U
    }
    ? U
    : never
  : DefaultSchemaTableNameOrOptions extends keyof DefaultSchema["Tables"]
  ? DefaultSchema["Tables"][DefaultSchemaTableNameOrOptions] extends {
      Update: infer U
    }
    ? U
    : never
  : never

export type Enums<
  DefaultSchemaEnumNameOrOptions extends
    | keyof DefaultSchema["Enums"]
    | { schema: keyof DatabaseWithoutInternals },
  EnumName extends DefaultSchemaEnumNameOrOptions extends {
    schema: keyof DatabaseWithoutInternals
  }
    ? keyof DatabaseWithoutInternals[DefaultSchemaEnumNameOrOptions["schema"]]["Enums"]
    : never = never
> = DefaultSchemaEnumNameOrOptions extends { schema: keyof DatabaseWithoutInternals }
  ? DatabaseWithoutInternals[DefaultSchemaEnumNameOrOptions["schema"]]["Enums"][EnumName]
  : DefaultSchemaEnumNameOrOptions extends keyof DefaultSchema["Enums"]
  ? DefaultSchema["Enums"][DefaultSchemaEnumNameOrOptions]
  : never

export type CompositeTypes<
  PublicCompositeTypeNameOrOptions extends
    | keyof DefaultSchema["CompositeTypes"]
    | { schema: keyof DatabaseWithoutInternals },
  CompositeTypeName extends PublicCompositeTypeNameOrOptions extends {
    schema: keyof DatabaseWithoutInternals
  }
    ? keyof DatabaseWithoutInternals[PublicCompositeTypeNameOrOptions["schema"]]["CompositeTypes"]
    : never = never
> = PublicCompositeTypeNameOrOptions extends { schema: keyof DatabaseWithoutInternals }
  ? DatabaseWithoutInternals[PublicCompositeTypeNameOrOptions["schema"]]["CompositeTypes"][CompositeTypeName]
  : PublicCompositeTypeNameOrOptions extends keyof DefaultSchema["CompositeTypes"]
  ? DefaultSchema["CompositeTypes"][PublicCompositeTypeNameOrOptions]
  : never

export const Constants = {
  "public": {
          Enums: {
            
          }
        }
} as const
