//! The one set of table definitions for both backends. Only types that PostgreSQL and SQLite map
//! the same way appear here; the `schema_drift` test keeps it in step with both migration trees.

diesel::table! {
    provinces (code) {
        code -> Text,
        name -> Text,
        retired_at -> Nullable<Timestamp>,
    }
}

diesel::table! {
    kabupaten_kota (code) {
        code -> Text,
        name -> Text,
        retired_at -> Nullable<Timestamp>,
    }
}

diesel::table! {
    kecamatan (code) {
        code -> Text,
        name -> Text,
        retired_at -> Nullable<Timestamp>,
    }
}

diesel::table! {
    kelurahan (code) {
        code -> Text,
        name -> Text,
        former_spelling -> Nullable<Text>,
        kecamatan_code -> Text,
        postal_code -> Text,
        retired_at -> Nullable<Timestamp>,
    }
}

diesel::table! {
    write_marks (writer) {
        writer -> Text,
        seq -> BigInt,
    }
}

diesel::table! {
    region_lists (id) {
        id -> BigInt,
        source -> Text,
        sha256 -> Text,
        applied_at -> Timestamp,
        added -> Integer,
        renamed -> Integer,
        retired -> Integer,
        restored -> Integer,
    }
}

diesel::table! {
    cooperatives (id) {
        id -> BigInt,
        registration_number -> Nullable<Text>,
        name -> Text,
        legal_entity_number -> Nullable<Text>,
        legal_entity_date -> Nullable<Date>,
        form -> Text,
        cooperative_type -> Text,
        management_pattern -> Text,
        savings_and_loan -> Bool,
        nib -> Nullable<Text>,
        npwp -> Nullable<Text>,
        membership_area -> Text,
        street -> Nullable<Text>,
        rt_rw -> Nullable<Text>,
        kelurahan_code -> Text,
        postal_code -> Nullable<Text>,
        phone -> Nullable<Text>,
        email -> Nullable<Text>,
        computed_status -> Text,
        status_rule -> Text,
        status_override -> Nullable<Text>,
        status_override_reason -> Nullable<Text>,
        status -> Text,
        version -> BigInt,
        created_at -> Timestamp,
        updated_at -> Timestamp,
        archived_at -> Nullable<Timestamp>,
    }
}

diesel::table! {
    board_members (id) {
        id -> BigInt,
        cooperative_id -> BigInt,
        position -> Integer,
        role -> Text,
        name -> Text,
        term_start -> Nullable<Date>,
        term_end -> Nullable<Date>,
    }
}

diesel::table! {
    annual_reports (id) {
        id -> BigInt,
        cooperative_id -> BigInt,
        book_year -> Integer,
        rat_held -> Bool,
        rat_date -> Nullable<Date>,
        reported_date -> Nullable<Date>,
        members_male -> Nullable<BigInt>,
        members_female -> Nullable<BigInt>,
        managers -> Nullable<BigInt>,
        employees -> Nullable<BigInt>,
        own_capital -> Nullable<BigInt>,
        outside_capital -> Nullable<BigInt>,
        assets -> Nullable<BigInt>,
        business_volume -> Nullable<BigInt>,
        shu -> Nullable<BigInt>,
        version -> BigInt,
        created_at -> Timestamp,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    idempotency_keys (id) {
        id -> BigInt,
        scope -> Text,
        idempotency_key -> Text,
        request_hash -> Text,
        response_status -> Integer,
        response_body -> Text,
        response_location -> Nullable<Text>,
        response_etag -> Nullable<Text>,
        created_at -> Timestamp,
    }
}

diesel::joinable!(kelurahan -> kecamatan (kecamatan_code));
diesel::joinable!(cooperatives -> kelurahan (kelurahan_code));
diesel::joinable!(board_members -> cooperatives (cooperative_id));
diesel::joinable!(annual_reports -> cooperatives (cooperative_id));

diesel::table! {
    users (id) {
        id -> BigInt,
        username -> Text,
        display_name -> Text,
        email -> Nullable<Text>,
        role -> Text,
        password_hash -> Text,
        active -> Bool,
        version -> BigInt,
        created_at -> Timestamp,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    api_clients (id) {
        id -> BigInt,
        client_id -> Text,
        name -> Text,
        scopes -> Text,
        secret_hash -> Text,
        active -> Bool,
        version -> BigInt,
        created_at -> Timestamp,
        updated_at -> Timestamp,
        partner_id -> Nullable<BigInt>,
    }
}

diesel::table! {
    refresh_tokens (id) {
        id -> BigInt,
        token_hash -> Text,
        family -> Text,
        user_id -> BigInt,
        issued_at -> Timestamp,
        expires_at -> Timestamp,
        rotated_at -> Nullable<Timestamp>,
        revoked_at -> Nullable<Timestamp>,
    }
}

diesel::table! {
    sign_in_failures (id) {
        id -> BigInt,
        principal -> Text,
        failed_at -> Timestamp,
    }
}

diesel::table! {
    audit_events (id) {
        id -> BigInt,
        occurred_at -> Timestamp,
        actor_type -> Text,
        actor_id -> Nullable<BigInt>,
        actor_name -> Nullable<Text>,
        actor_role -> Nullable<Text>,
        action -> Text,
        entity_type -> Text,
        entity_id -> Nullable<Text>,
        changes -> Nullable<Text>,
        request_id -> Nullable<Text>,
        client_address -> Nullable<Text>,
    }
}

diesel::joinable!(refresh_tokens -> users (user_id));

diesel::table! {
    size_thresholds (regulation) {
        regulation -> Text,
        effective_from -> Date,
        capital_mikro -> BigInt,
        capital_kecil -> BigInt,
        capital_menengah -> BigInt,
        sales_mikro -> BigInt,
        sales_kecil -> BigInt,
        sales_menengah -> BigInt,
    }
}

diesel::table! {
    persons (id) {
        id -> BigInt,
        full_name -> Text,
        nik_encrypted -> Nullable<Text>,
        nik_hash -> Nullable<Text>,
        sex -> Nullable<Text>,
        legacy_birth_date -> Nullable<Date>,
        legacy_phone -> Nullable<Text>,
        legacy_home_address -> Nullable<Text>,
        version -> BigInt,
        created_at -> Timestamp,
        updated_at -> Timestamp,
        birth_date_encrypted -> Nullable<Text>,
        phone_encrypted -> Nullable<Text>,
        home_address_encrypted -> Nullable<Text>,
    }
}

diesel::table! {
    ukm (id) {
        id -> BigInt,
        business_name -> Text,
        owner_id -> BigInt,
        nib -> Nullable<Text>,
        kbli_code -> Nullable<Text>,
        kbli_version -> Nullable<Text>,
        sector -> Text,
        business_capital -> Nullable<BigInt>,
        annual_sales -> Nullable<BigInt>,
        figures_date -> Nullable<Date>,
        size_class -> Nullable<Text>,
        size_basis -> Nullable<Text>,
        size_regulation -> Nullable<Text>,
        workers -> Nullable<BigInt>,
        start_year -> Nullable<Integer>,
        has_pirt -> Bool,
        has_halal -> Bool,
        has_standard_certificate -> Bool,
        npwp -> Nullable<Text>,
        street -> Nullable<Text>,
        kelurahan_code -> Text,
        cooperative_id -> Nullable<BigInt>,
        status -> Text,
        version -> BigInt,
        created_at -> Timestamp,
        updated_at -> Timestamp,
        archived_at -> Nullable<Timestamp>,
        /// Generated from `kelurahan_code` by the database (migration 000011); never written.
        kecamatan_code -> Text,
        /// Generated from `kelurahan_code` by the database (migration 000021); never written.
        kabupaten_kota_code -> Text,
    }
}

diesel::table! {
    ukm_yearly_figures (id) {
        id -> BigInt,
        ukm_id -> BigInt,
        year -> Integer,
        turnover -> Nullable<BigInt>,
        workers -> Nullable<BigInt>,
        assets -> Nullable<BigInt>,
        version -> BigInt,
        created_at -> Timestamp,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    ukm_name_words (ukm_id, word) {
        ukm_id -> BigInt,
        word -> Text,
        business_name -> Text,
        archived -> Bool,
    }
}

diesel::table! {
    pending_backfills (name) {
        name -> Text,
    }
}

diesel::joinable!(ukm -> persons (owner_id));
diesel::joinable!(ukm_yearly_figures -> ukm (ukm_id));
diesel::joinable!(ukm_name_words -> ukm (ukm_id));

diesel::table! {
    imports (id) {
        id -> BigInt,
        kind -> Text,
        file_name -> Text,
        file_format -> Text,
        dry_run -> Bool,
        outcome -> Text,
        rows_read -> BigInt,
        to_create -> BigInt,
        to_update -> BigInt,
        unchanged -> BigInt,
        rejected -> BigInt,
        problems -> Text,
        actor_type -> Text,
        actor_id -> Nullable<BigInt>,
        actor_name -> Nullable<Text>,
        request_id -> Nullable<Text>,
        created_at -> Timestamp,
    }
}

diesel::table! {
    partners (id) {
        id -> BigInt,
        name -> Text,
        kind -> Text,
        version -> BigInt,
        created_at -> Timestamp,
        updated_at -> Timestamp,
        archived_at -> Nullable<Timestamp>,
    }
}

diesel::table! {
    experts (id) {
        id -> BigInt,
        full_name -> Text,
        role -> Text,
        partner_id -> Nullable<BigInt>,
        phone -> Nullable<Text>,
        email -> Nullable<Text>,
        user_id -> Nullable<BigInt>,
        active -> Bool,
        version -> BigInt,
        created_at -> Timestamp,
        updated_at -> Timestamp,
        archived_at -> Nullable<Timestamp>,
    }
}

diesel::table! {
    expert_expertise (expert_id, category) {
        expert_id -> BigInt,
        category -> Text,
    }
}

diesel::table! {
    instruments (id) {
        id -> BigInt,
        code -> Text,
        version -> Integer,
        name -> Text,
        subject_kind -> Text,
        source -> Nullable<Text>,
        definition -> Text,
        created_at -> Timestamp,
    }
}

diesel::table! {
    programmes (id) {
        id -> BigInt,
        name -> Text,
        year -> Integer,
        target_cooperatives_helped -> Integer,
        target_cooperatives_good -> Integer,
        target_ukm_helped -> Nullable<Integer>,
        target_ukm_good -> Nullable<Integer>,
        horizon_years -> Integer,
        default_instrument_id -> Nullable<BigInt>,
        version -> BigInt,
        created_at -> Timestamp,
        updated_at -> Timestamp,
        archived_at -> Nullable<Timestamp>,
    }
}

diesel::table! {
    programme_funders (programme_id, partner_id) {
        programme_id -> BigInt,
        partner_id -> BigInt,
    }
}

diesel::joinable!(experts -> partners (partner_id));
diesel::joinable!(expert_expertise -> experts (expert_id));
diesel::joinable!(programme_funders -> programmes (programme_id));

diesel::table! {
    cases (id) {
        id -> BigInt,
        programme_id -> BigInt,
        subject_kind -> Text,
        cooperative_id -> Nullable<BigInt>,
        ukm_id -> Nullable<BigInt>,
        referral_source -> Text,
        status -> Text,
        registered_on -> Date,
        version -> BigInt,
        created_at -> Timestamp,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    case_members (case_id, duty, expert_id) {
        case_id -> BigInt,
        expert_id -> BigInt,
        duty -> Text,
        is_lead -> Bool,
    }
}

diesel::table! {
    case_transitions (id) {
        id -> BigInt,
        case_id -> BigInt,
        action -> Text,
        from_status -> Text,
        to_status -> Text,
        note -> Nullable<Text>,
        actor_type -> Text,
        actor_id -> Nullable<BigInt>,
        actor_name -> Nullable<Text>,
        created_at -> Timestamp,
        effective_on -> Nullable<Date>,
    }
}

diesel::table! {
    diagnoses (id) {
        id -> BigInt,
        case_id -> BigInt,
        sequence -> Integer,
        supersedes_id -> Nullable<BigInt>,
        status -> Text,
        diagnosed_on -> Date,
        summary -> Nullable<Text>,
        instrument_id -> Nullable<BigInt>,
        assessment_inputs -> Nullable<Text>,
        assessment_result -> Nullable<Text>,
        assessment_total -> Nullable<Text>,
        assessment_predicate -> Nullable<Text>,
        finalized_at -> Nullable<Timestamp>,
        finalized_by -> Nullable<Text>,
        version -> BigInt,
        created_at -> Timestamp,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    findings (id) {
        id -> BigInt,
        diagnosis_id -> BigInt,
        position -> Integer,
        category -> Text,
        severity -> Text,
        description -> Text,
    }
}

diesel::table! {
    diagnosis_member_scores (diagnosis_id, expert_id) {
        diagnosis_id -> BigInt,
        expert_id -> BigInt,
        instrument_id -> BigInt,
        inputs -> Text,
        result -> Text,
        total -> Text,
        predicate -> Text,
        recorded_at -> Timestamp,
    }
}

diesel::table! {
    diagnosis_agreements (diagnosis_id, expert_id) {
        diagnosis_id -> BigInt,
        expert_id -> BigInt,
    }
}

diesel::table! {
    clinic_sessions (id) {
        id -> BigInt,
        programme_id -> BigInt,
        starts_at -> Timestamp,
        venue -> Text,
        kind -> Text,
        notes -> Nullable<Text>,
        version -> BigInt,
        created_at -> Timestamp,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    clinic_session_experts (session_id, duty, expert_id) {
        session_id -> BigInt,
        expert_id -> BigInt,
        duty -> Text,
    }
}

diesel::table! {
    clinic_session_cases (session_id, case_id) {
        session_id -> BigInt,
        case_id -> BigInt,
        present -> Bool,
    }
}

diesel::joinable!(case_members -> cases (case_id));
diesel::joinable!(case_transitions -> cases (case_id));
diesel::joinable!(findings -> diagnoses (diagnosis_id));

diesel::table! {
    recommendations (id) {
        id -> BigInt,
        case_id -> BigInt,
        diagnosis_id -> BigInt,
        kind -> Text,
        description -> Text,
        responsible_expert_id -> Nullable<BigInt>,
        responsible_partner_id -> Nullable<BigInt>,
        responsible_user_id -> Nullable<BigInt>,
        due_on -> Nullable<Date>,
        status -> Text,
        financing_scheme -> Nullable<Text>,
        bank_partner_id -> Nullable<BigInt>,
        amount_requested -> Nullable<BigInt>,
        amount_approved -> Nullable<BigInt>,
        approved_on -> Nullable<Date>,
        amount_disbursed -> Nullable<BigInt>,
        disbursed_on -> Nullable<Date>,
        version -> BigInt,
        created_at -> Timestamp,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    recommendation_findings (recommendation_id, finding_id) {
        recommendation_id -> BigInt,
        finding_id -> BigInt,
    }
}

diesel::table! {
    recommendation_transitions (id) {
        id -> BigInt,
        recommendation_id -> BigInt,
        from_status -> Text,
        to_status -> Text,
        note -> Nullable<Text>,
        actor_type -> Text,
        actor_id -> Nullable<BigInt>,
        actor_name -> Nullable<Text>,
        created_at -> Timestamp,
    }
}

diesel::table! {
    mentoring_activities (id) {
        id -> BigInt,
        case_id -> BigInt,
        held_on -> Date,
        kind -> Text,
        hours -> Text,
        notes -> Nullable<Text>,
        recommendation_id -> Nullable<BigInt>,
        version -> BigInt,
        created_at -> Timestamp,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    mentoring_activity_experts (activity_id, expert_id) {
        activity_id -> BigInt,
        expert_id -> BigInt,
    }
}

diesel::table! {
    evaluations (id) {
        id -> BigInt,
        case_id -> BigInt,
        evaluated_on -> Date,
        indicators -> Text,
        conclusion -> Text,
        next_step -> Text,
        notes -> Nullable<Text>,
        recorded_by -> Nullable<Text>,
        created_at -> Timestamp,
    }
}

diesel::table! {
    case_outcomes (case_id) {
        case_id -> BigInt,
        outcome -> Text,
        computed_outcome -> Text,
        rule_name -> Text,
        rule_version -> Integer,
        evidence -> Text,
        evaluation_id -> BigInt,
        decided_on -> Date,
        override_reason -> Nullable<Text>,
        overridden_by -> Nullable<Text>,
        overridden_at -> Nullable<Timestamp>,
    }
}

diesel::table! {
    dissolution_proposals (id) {
        id -> BigInt,
        case_id -> BigInt,
        cooperative_id -> BigInt,
        status -> Text,
        note -> Nullable<Text>,
        previous_override -> Nullable<Text>,
        previous_override_reason -> Nullable<Text>,
        version -> BigInt,
        created_at -> Timestamp,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    dissolution_proposal_reasons (proposal_id, reason) {
        proposal_id -> BigInt,
        reason -> Text,
    }
}

diesel::joinable!(recommendations -> cases (case_id));
diesel::joinable!(recommendation_findings -> recommendations (recommendation_id));
diesel::joinable!(mentoring_activity_experts -> mentoring_activities (activity_id));
diesel::joinable!(evaluations -> cases (case_id));
diesel::joinable!(dissolution_proposal_reasons -> dissolution_proposals (proposal_id));

diesel::table! {
    scheduled_jobs (name) {
        name -> Text,
        next_due_at -> Timestamp,
        holder -> Nullable<Text>,
        last_started_at -> Nullable<Timestamp>,
        last_finished_at -> Nullable<Timestamp>,
        last_outcome -> Nullable<Text>,
    }
}

diesel::table! {
    changes (id) {
        id -> BigInt,
        position -> Nullable<BigInt>,
        occurred_at -> Timestamp,
        kind -> Text,
        record_id -> BigInt,
        action -> Text,
        version -> Nullable<BigInt>,
    }
}

diesel::table! {
    change_feed (id) {
        id -> BigInt,
        last_position -> BigInt,
        purged_through -> BigInt,
    }
}

diesel::table! {
    webhook_subscriptions (id) {
        id -> BigInt,
        client_id -> BigInt,
        url -> Text,
        kinds -> Text,
        secret -> Text,
        enabled -> Bool,
        disabled_reason -> Nullable<Text>,
        failure_streak -> Integer,
        version -> BigInt,
        created_at -> Timestamp,
        updated_at -> Timestamp,
        archived_at -> Nullable<Timestamp>,
    }
}

diesel::table! {
    webhook_deliveries (id) {
        id -> BigInt,
        subscription_id -> BigInt,
        position -> BigInt,
        kind -> Text,
        record_id -> BigInt,
        action -> Text,
        version -> Nullable<BigInt>,
        occurred_at -> Timestamp,
        status -> Text,
        attempts -> Integer,
        next_attempt_at -> Timestamp,
        lease_until -> Nullable<Timestamp>,
        last_attempt_at -> Nullable<Timestamp>,
        last_status_code -> Nullable<Integer>,
        last_error -> Nullable<Text>,
        response_excerpt -> Nullable<Text>,
        created_at -> Timestamp,
        delivered_at -> Nullable<Timestamp>,
    }
}

diesel::table! {
    webhook_fanout (id) {
        id -> BigInt,
        last_position -> BigInt,
    }
}

diesel::joinable!(webhook_deliveries -> webhook_subscriptions (subscription_id));

diesel::table! {
    economy_years (id) {
        id -> BigInt,
        year -> Integer,
        pdrb_current_prices -> BigInt,
        pdrb_constant_prices -> BigInt,
        pdrb_source -> Text,
        pdrb_status -> Text,
        published_share -> Nullable<Integer>,
        published_share_scope -> Nullable<Text>,
        published_share_source -> Nullable<Text>,
        version -> BigInt,
        created_at -> Timestamp,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    economic_target (id) {
        id -> BigInt,
        share -> Integer,
        target_year -> Integer,
        version -> BigInt,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    documents (id) {
        id -> BigInt,
        owner_kind -> Text,
        owner_id -> BigInt,
        kind -> Text,
        title -> Text,
        document_date -> Nullable<Date>,
        personal -> Bool,
        file_name -> Text,
        media_type -> Text,
        size_bytes -> BigInt,
        sha256 -> Text,
        storage_key -> Text,
        version -> BigInt,
        created_at -> Timestamp,
        updated_at -> Timestamp,
        archived_at -> Nullable<Timestamp>,
        purged_at -> Nullable<Timestamp>,
        purge_reason -> Nullable<Text>,
    }
}

diesel::table! {
    reminders (id) {
        id -> BigInt,
        kind -> Text,
        subject_kind -> Text,
        subject_id -> BigInt,
        case_id -> Nullable<BigInt>,
        due_since -> Date,
        version -> BigInt,
        created_at -> Timestamp,
        updated_at -> Timestamp,
        resolved_at -> Nullable<Timestamp>,
    }
}

diesel::table! {
    notifications (id) {
        id -> BigInt,
        user_id -> BigInt,
        reminder_id -> BigInt,
        created_at -> Timestamp,
        read_at -> Nullable<Timestamp>,
        digested_at -> Nullable<Timestamp>,
    }
}

diesel::table! {
    notification_settings (user_id) {
        user_id -> BigInt,
        language -> Text,
        email_opt_out -> Text,
        version -> BigInt,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    email_outbox (id) {
        id -> BigInt,
        user_id -> BigInt,
        digest_day -> Date,
        recipient -> Text,
        subject -> Text,
        body -> Text,
        status -> Text,
        attempts -> Integer,
        next_attempt_at -> Timestamp,
        last_error -> Nullable<Text>,
        created_at -> Timestamp,
        sent_at -> Nullable<Timestamp>,
    }
}

diesel::joinable!(notifications -> reminders (reminder_id));

diesel::allow_tables_to_appear_in_same_query!(
    reminders,
    notifications,
    notification_settings,
    email_outbox,
    documents,
    economy_years,
    economic_target,
    webhook_subscriptions,
    webhook_deliveries,
    webhook_fanout,
    changes,
    change_feed,
    provinces,
    kabupaten_kota,
    kecamatan,
    kelurahan,
    region_lists,
    write_marks,
    cooperatives,
    board_members,
    annual_reports,
    idempotency_keys,
    users,
    api_clients,
    refresh_tokens,
    sign_in_failures,
    scheduled_jobs,
    audit_events,
    size_thresholds,
    persons,
    ukm,
    ukm_yearly_figures,
    ukm_name_words,
    pending_backfills,
    imports,
    partners,
    experts,
    expert_expertise,
    instruments,
    programmes,
    programme_funders,
    cases,
    case_members,
    case_transitions,
    diagnoses,
    findings,
    diagnosis_member_scores,
    diagnosis_agreements,
    clinic_sessions,
    clinic_session_experts,
    clinic_session_cases,
    recommendations,
    recommendation_findings,
    recommendation_transitions,
    mentoring_activities,
    mentoring_activity_experts,
    evaluations,
    case_outcomes,
    dissolution_proposals,
    dissolution_proposal_reasons,
);
