//! A recommendation's follow-up: its status machine and history, and the capital a
//! `permodalan` recommendation mobilises, reported by office staff or the bank's own client.

use klinik_domain::clinic::recommendation::{RecommendationKind, RecommendationStatus};
use klinik_persistence::clinic::recommendations::{self as store, NewRecommendationTransition};
use serde_json::json;

use super::model::{
    CapitalReport, Recommendation, RecommendationTransition, RecommendationTransitionRequest,
    check_note, check_report,
};
use super::*;
use crate::prelude::*;

/// Moves a recommendation: proposed → agreed → in_progress → done | not_done; proposed →
/// rejected; any open status → cancelled. Kept in its history and audited.
pub async fn transition(
    ctx: &Ctx,
    id: RecommendationId,
    if_match: IfMatch,
    request: RecommendationTransitionRequest,
) -> Result<Recommendation, Error> {
    check_note(request.note.as_deref())?;
    ctx.write(move |conn, ctx| {
        move_to(conn, ctx, id, &if_match, request.status, request.note)?;
        load(conn, id)
    })
    .await
}

/// [`transition`] inside the caller's transaction (the demo's recommendations move through it).
pub fn move_to(
    conn: &mut AnyConnection,
    ctx: &Ctx,
    id: RecommendationId,
    if_match: &IfMatch,
    to: RecommendationStatus,
    note: Option<String>,
) -> Result<(), Error> {
    let (row, case) = in_scope(conn, &ctx.caller, id)?;
    if_match.check(row.version)?;
    require_followed_up(&case)?;
    let from = row.status;
    if !from.may_become(to) {
        return Err(Error::conflict(
            "status",
            "transition_not_allowed",
            msg!(
                "A recommendation cannot move from %{from} to %{to}.",
                from = from,
                to = to
            ),
        ));
    }
    store::set_status(conn, id, row.version, to)?;
    let audit = &ctx.audit;
    store::append_transition(
        conn,
        NewRecommendationTransition {
            recommendation_id: id,
            from_status: from,
            to_status: to,
            note,
            actor_type: audit.actor_type.into(),
            actor_id: audit.actor_id,
            actor_name: audit.actor_name.clone(),
        },
    )?;
    versioned::committed(
        conn,
        ctx,
        "transition",
        "recommendation",
        &id.to_string(),
        Some(json!({"from": from, "to": to})),
    )
}

/// A recommendation's status changes, oldest first.
pub async fn history(
    ctx: &Ctx,
    id: RecommendationId,
    query: PageQuery,
) -> Result<Page<RecommendationTransition>, Error> {
    let page = PageRequest::new(query.page, query.page_size)?;
    let (items, total) = ctx
        .read(move |conn, ctx| {
            in_scope(conn, &ctx.caller, id)?;
            let (rows, total) = page.slice(store::transitions_of(conn, id)?);
            let items = rows
                .into_iter()
                .map(RecommendationTransition::from_row)
                .collect();
            Ok::<_, Error>((items, total))
        })
        .await?;
    Ok(page.wrap_capped(items, total))
}

/// Reports a `permodalan` recommendation's approval and disbursement, once it is agreed; a bank's
/// client only for its own bank's recommendations (403).
pub async fn report_capital(
    ctx: &Ctx,
    id: RecommendationId,
    if_match: IfMatch,
    report: CapitalReport,
) -> Result<Recommendation, Error> {
    check_report(&report)?;
    ctx.write(move |conn, ctx| record_capital(conn, ctx, id, &if_match, &report))
        .await
}

/// [`report_capital`] inside the caller's transaction, the report already checked.
pub fn record_capital(
    conn: &mut AnyConnection,
    ctx: &Ctx,
    id: RecommendationId,
    if_match: &IfMatch,
    report: &CapitalReport,
) -> Result<Recommendation, Error> {
    versioned::change::<RecommendationEntity>(
        conn,
        ctx,
        id,
        if_match,
        "report_capital",
        |conn, row| {
            if let Caller::Client { id: client, .. } = &ctx.caller {
                let bank = klinik_persistence::clients::find(conn, *client)?.partner_id;
                if bank.is_none() || bank != row.bank_partner_id {
                    return Err(Error::forbidden(msg!(
                        "An integration client reports capital only for its own bank's recommendations."
                    )));
                }
            }
            if row.kind != RecommendationKind::Permodalan {
                return Err(Error::conflict(
                    "kind",
                    "not_capital",
                    msg!("Only a permodalan recommendation has capital to report."),
                ));
            }
            use RecommendationStatus::*;
            if !matches!(row.status, Agreed | InProgress | Done) {
                return Err(Error::conflict(
                    "status",
                    "recommendation_not_agreed",
                    msg!(
                        "The recommendation is %{status}; capital is reported once it is agreed.",
                        status = row.status
                    ),
                ));
            }
            let mut fields = model::fields_of(row);
            fields.amount_approved = report.amount_approved;
            fields.approved_on = report.approved_on;
            fields.amount_disbursed = report.amount_disbursed;
            fields.disbursed_on = report.disbursed_on;
            Ok((fields, None))
        },
    )
}
