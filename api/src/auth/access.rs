//! Who may call each operation: one table, keyed by operation id. It drives the authorization
//! middleware and the contract (each operation's security requirement and "Access" line).
//! An operation without an entry is refused to everyone (default deny).

use klinik_domain::accounts::{Role, Scope};
use utoipa::openapi::security::{
    ClientCredentials, Flow, HttpAuthScheme, HttpBuilder, OAuth2, Scopes, SecurityRequirement,
    SecurityScheme,
};
use utoipa::openapi::{OpenApi, Ref, RefOr};

/// Name of the bearer security scheme in the contract (people, and any token).
pub const BEARER: &str = "bearer";
/// Name of the OAuth 2.0 client-credentials scheme: integration clients and their scopes.
pub const CLIENTS: &str = "oauth2";

/// What each scope lets an integration client do, for the contract's OAuth 2.0 scheme.
fn scope_description(scope: Scope) -> &'static str {
    match scope {
        Scope::RegistryRead => {
            "Read the registries: cooperatives, annual reports, UKM and their figures."
        }
        Scope::RegistryWrite => "Create and change registry records.",
        Scope::ClinicRead => {
            "Read the clinic: programmes, cases, diagnoses, recommendations and follow-up."
        }
        Scope::ClinicWrite => "Refer cases and record clinic sessions and follow-up.",
        Scope::IndicatorsRead => "Read the indicators and their exports.",
        Scope::CapitalWrite => {
            "A partner bank reports approval and disbursement of its own capital recommendations."
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Access {
    /// Anyone, without a token.
    Public,
    /// Any signed-in person or client.
    SignedIn,
    /// Any signed-in person (not a client).
    People,
    /// People with one of `roles`, and clients holding `scope` (when there is one).
    Rule {
        roles: &'static [Role],
        scope: Option<Scope>,
    },
}

const STAFF_READ: &[Role] = &[Role::Admin, Role::Officer, Role::Assessor, Role::Viewer];
const STAFF_WRITE: &[Role] = &[Role::Admin, Role::Officer];
const ADMIN: &[Role] = &[Role::Admin];

const REGISTRY_READ: Access = Access::Rule {
    roles: STAFF_READ,
    scope: Some(Scope::RegistryRead),
};
const REGISTRY_WRITE: Access = Access::Rule {
    roles: STAFF_WRITE,
    scope: Some(Scope::RegistryWrite),
};
/// Staff read the clinic, admin and officer change it; integration clients with `clinic:read` /
/// `clinic:write` likewise (other government systems that refer cases or record sessions).
const CLINIC_READ: Access = Access::Rule {
    roles: STAFF_READ,
    scope: Some(Scope::ClinicRead),
};
const CLINIC_WRITE: Access = Access::Rule {
    roles: STAFF_WRITE,
    scope: Some(Scope::ClinicWrite),
};
/// Work on cases: office staff, and assessors on the cases whose team includes them (checked per
/// case by the handler). No client: transitions and diagnoses are the team's and the office's
/// decisions.
const CLINIC_WORK: Access = Access::Rule {
    roles: &[Role::Admin, Role::Officer, Role::Assessor],
    scope: None,
};
/// A partner bank's client reports capital (its own bank's, checked by the handler).
const CAPITAL_REPORT: Access = Access::Rule {
    roles: STAFF_WRITE,
    scope: Some(Scope::CapitalWrite),
};
/// Office decisions on a case's end: no assessor, no client.
const CLINIC_OFFICE: Access = Access::Rule {
    roles: STAFF_WRITE,
    scope: None,
};
/// What the office reports: staff, and other government systems with `indicators:read`.
const INDICATORS_READ: Access = Access::Rule {
    roles: STAFF_READ,
    scope: Some(Scope::IndicatorsRead),
};
/// The city's published economic figures: entered and corrected by the office, no client.
const ECONOMY_WRITE: Access = Access::Rule {
    roles: STAFF_WRITE,
    scope: None,
};
/// Evidence documents are for people: staff read them (personal ones by role, checked per
/// document), admins and officers attach them to registry records.
const DOCUMENTS_READ: Access = Access::Rule {
    roles: STAFF_READ,
    scope: None,
};
const DOCUMENTS_REGISTRY_WRITE: Access = Access::Rule {
    roles: STAFF_WRITE,
    scope: None,
};
const ADMIN_ONLY: Access = Access::Rule {
    roles: ADMIN,
    scope: None,
};

/// The rule of an operation, or `None` when it has none (and so serves nobody).
pub fn rule_for(operation_id: &str) -> Option<Access> {
    let access = match operation_id {
        "get_health_live" | "get_health_ready" | "list_labels" => Access::Public,
        "login" | "refresh_token" | "logout" | "issue_client_token" => Access::Public,
        "get_me" => Access::SignedIn,
        "list_my_notifications"
        | "read_my_notification"
        | "read_all_my_notifications"
        | "get_my_notification_settings"
        | "put_my_notification_settings" => Access::People,
        "list_cooperative_documents"
        | "list_annual_report_documents"
        | "list_ukm_documents"
        | "list_diagnosis_documents"
        | "list_activity_documents"
        | "list_recommendation_documents"
        | "list_evaluation_documents"
        | "list_dissolution_proposal_documents"
        | "get_document"
        | "download_document" => DOCUMENTS_READ,
        "upload_cooperative_document" | "upload_annual_report_document" | "upload_ukm_document" => {
            DOCUMENTS_REGISTRY_WRITE
        }
        // Assessors on their teams' cases; a registry record's documents only admins and
        // officers change (checked per document).
        "upload_diagnosis_document"
        | "upload_activity_document"
        | "upload_recommendation_document"
        | "upload_evaluation_document"
        | "upload_dissolution_proposal_document"
        | "update_document"
        | "archive_document" => CLINIC_WORK,
        "restore_document" | "purge_document" => ADMIN_ONLY,
        "change_password" => Access::People,
        "list_regions" | "list_kecamatan" | "list_kelurahan" => REGISTRY_READ,
        "list_cooperatives" | "get_cooperative" | "list_annual_reports" | "get_annual_report" => {
            REGISTRY_READ
        }
        "list_ukm" | "get_ukm" | "list_ukm_yearly_figures" => REGISTRY_READ,
        "create_ukm" | "update_ukm" | "archive_ukm" | "create_ukm_yearly_figures" => REGISTRY_WRITE,
        "create_import" | "list_imports" | "get_import" => REGISTRY_WRITE,
        "export_ukm_csv"
        | "export_ukm_xlsx"
        | "export_cooperatives_csv"
        | "export_cooperatives_xlsx"
        | "export_annual_reports_csv"
        | "export_annual_reports_xlsx"
        | "export_yearly_figures_csv"
        | "export_yearly_figures_xlsx" => REGISTRY_READ,
        "create_cooperative"
        | "update_cooperative"
        | "archive_cooperative"
        | "set_cooperative_status_override"
        | "clear_cooperative_status_override"
        | "create_annual_report"
        | "update_annual_report"
        | "delete_annual_report" => REGISTRY_WRITE,
        "create_user" | "list_users" | "get_user" | "update_user" | "reset_user_password" => {
            ADMIN_ONLY
        }
        "create_client"
        | "list_clients"
        | "get_client"
        | "update_client"
        | "rotate_client_secret" => ADMIN_ONLY,
        "list_audit_events" => ADMIN_ONLY,
        // Every staff role and any client; the kinds shown follow the client's read scopes.
        "list_changes" => Access::SignedIn,
        "list_economy_years"
        | "get_economy_year"
        | "get_economic_target"
        | "get_economy"
        | "export_economy_csv"
        | "export_economy_xlsx" => INDICATORS_READ,
        "create_economy_year" | "update_economy_year" | "delete_economy_year" => ECONOMY_WRITE,
        "set_economic_target" => ADMIN_ONLY,
        "create_webhook_subscription"
        | "list_webhook_subscriptions"
        | "get_webhook_subscription"
        | "update_webhook_subscription"
        | "archive_webhook_subscription"
        | "list_webhook_deliveries"
        | "redeliver_webhook_delivery" => ADMIN_ONLY,
        "list_partners" | "get_partner" | "list_experts" | "get_expert" => CLINIC_READ,
        "list_programmes" | "get_programme" => CLINIC_READ,
        "list_instruments" | "get_instrument" | "score_instrument" => CLINIC_READ,
        "create_partner" | "update_partner" | "archive_partner" => CLINIC_WRITE,
        "create_expert" | "update_expert" | "archive_expert" => CLINIC_WRITE,
        "create_programme" | "update_programme" | "archive_programme" => CLINIC_WRITE,
        "create_instrument" => ADMIN_ONLY,
        "list_cases" | "get_case" | "get_case_history" => CLINIC_READ,
        "list_clinic_sessions" | "get_clinic_session" => CLINIC_READ,
        "create_clinic_session" | "update_clinic_session" => CLINIC_WRITE,
        "create_case" | "update_case" => CLINIC_WRITE,
        "create_case_transition" => CLINIC_WORK,
        "list_case_diagnoses" | "get_diagnosis" => CLINIC_READ,
        "create_diagnosis" | "update_diagnosis" | "put_member_score" | "finalize_diagnosis" => {
            CLINIC_WORK
        }
        "list_diagnosis_recommendations"
        | "list_recommendations"
        | "get_recommendation"
        | "get_recommendation_history" => CLINIC_READ,
        "create_recommendation" | "update_recommendation" | "create_recommendation_transition" => {
            CLINIC_WORK
        }
        "report_recommendation_capital" => CAPITAL_REPORT,
        "list_case_activities" | "get_activity" => CLINIC_READ,
        "create_activity" | "update_activity" => CLINIC_WORK,
        "list_case_evaluations" | "get_evaluation" => CLINIC_READ,
        "create_evaluation" => CLINIC_WORK,
        "override_case_outcome" => ADMIN_ONLY,
        "list_dissolution_proposals" | "get_dissolution_proposal" => CLINIC_READ,
        "create_dissolution_proposal_transition" => CLINIC_OFFICE,
        "get_programme_indicators"
        | "get_indicators"
        | "export_indicators_csv"
        | "export_indicators_xlsx" => INDICATORS_READ,
        _ => return None,
    };
    Some(access)
}

/// The rule in words, as the contract shows it.
pub fn describe(access: Access) -> String {
    match access {
        Access::Public => "**Access:** public; no token needed.".into(),
        Access::SignedIn => "**Access:** any signed-in user or integration client.".into(),
        Access::People => "**Access:** any signed-in user (not integration clients).".into(),
        Access::Rule { roles, scope } => {
            let roles: Vec<&str> = roles.iter().map(|r| r.as_str()).collect();
            let clients = match scope {
                Some(scope) => format!("integration clients with scope `{scope}`"),
                None => "no integration client".into(),
            };
            format!(
                "**Access:** roles {}; {clients}.",
                roles
                    .iter()
                    .map(|r| format!("`{r}`"))
                    .collect::<Vec<_>>()
                    .join(", ")
            )
        }
    }
}

/// Adds the bearer scheme, and to every operation its rule, security requirement and the
/// 401/403 responses a protected operation can give.
pub fn document(spec: &mut OpenApi) {
    let components = spec.components.get_or_insert_with(Default::default);
    components.add_security_scheme(
        BEARER,
        SecurityScheme::Http(
            HttpBuilder::new()
                .scheme(HttpAuthScheme::Bearer)
                .bearer_format("JWT")
                .description(Some(
                    "An access token from `POST /api/v1/auth/login` (people) or `POST /api/v1/auth/token` \
                     (integration clients). It lives 15 minutes.",
                ))
                .build(),
        ),
    );
    components.add_security_scheme(
        CLIENTS,
        SecurityScheme::OAuth2(OAuth2::with_description(
            [Flow::ClientCredentials(ClientCredentials::new(
                "/api/v1/auth/token",
                Scopes::from_iter(
                    Scope::ALL
                        .iter()
                        .map(|&scope| (scope.as_str(), scope_description(scope))),
                ),
            ))],
            "Integration clients (other government systems): the client-credentials grant at \
             `POST /api/v1/auth/token` gives a bearer token carrying the client's scopes. An \
             operation lists the scope a client needs; people use the `bearer` scheme.",
        )),
    );
    for item in spec.paths.paths.values_mut() {
        let operations = [
            &mut item.get,
            &mut item.put,
            &mut item.post,
            &mut item.delete,
            &mut item.patch,
        ];
        for operation in operations.into_iter().flatten() {
            let access = operation.operation_id.as_deref().and_then(rule_for);
            let text = access.map_or_else(
                || "**Access:** nobody (no rule declared).".to_owned(),
                describe,
            );
            let description = operation.description.get_or_insert_with(String::new);
            if !description.is_empty() {
                description.push_str("\n\n");
            }
            description.push_str(&text);
            if access == Some(Access::Public) {
                operation.security = Some(vec![SecurityRequirement::default()]);
                continue;
            }
            // Either a person's (or any) bearer token, or a client token with the scope.
            let mut requirements = vec![SecurityRequirement::new(BEARER, Vec::<String>::new())];
            match access {
                Some(Access::Rule {
                    scope: Some(scope), ..
                }) => requirements.push(SecurityRequirement::new(CLIENTS, [scope.as_str()])),
                Some(Access::SignedIn) => {
                    requirements.push(SecurityRequirement::new(CLIENTS, Vec::<String>::new()))
                }
                _ => {}
            }
            operation.security = Some(requirements);
            let responses = &mut operation.responses.responses;
            responses.insert(
                "401".into(),
                RefOr::Ref(Ref::from_response_name("Unauthorized")),
            );
            responses.insert(
                "403".into(),
                RefOr::Ref(Ref::from_response_name("Forbidden")),
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_unknown_operation_has_no_rule() {
        assert_eq!(rule_for("drop_everything"), None);
    }

    #[test]
    fn writes_need_staff_who_write_or_the_write_scope() {
        let Some(Access::Rule { roles, scope }) = rule_for("create_cooperative") else {
            panic!()
        };
        assert_eq!(roles, [Role::Admin, Role::Officer]);
        assert_eq!(scope, Some(Scope::RegistryWrite));
    }
}
