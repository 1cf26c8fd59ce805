//! The change feed: every create, update, archive and status change of the registries' and the
//! clinic's records, in commit order, for other systems that keep a copy. Each change writes an
//! outbox entry in its own transaction ([`follow`], called from `versioned::committed`); entries
//! get their feed position only after they commit (klinik_persistence::changes), so a reader
//! paging with `after` never skips one.

mod records;

use chrono::{DateTime, Duration, NaiveDateTime, Utc};
use klinik_domain::accounts::Scope;
use klinik_persistence::changes::{self as store, ChangeRow};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use crate::fields::utc;
use crate::prelude::*;

pub use records::ChangedRecord;

/// The kinds of record the feed carries.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum ChangeKind {
    Cooperative,
    AnnualReport,
    Ukm,
    UkmYearlyFigures,
    Programme,
    Case,
    Diagnosis,
    Recommendation,
    Activity,
    Evaluation,
    DissolutionProposal,
    Reminder,
}

impl ChangeKind {
    pub const ALL: [ChangeKind; 12] = [
        ChangeKind::Cooperative,
        ChangeKind::AnnualReport,
        ChangeKind::Ukm,
        ChangeKind::UkmYearlyFigures,
        ChangeKind::Programme,
        ChangeKind::Case,
        ChangeKind::Diagnosis,
        ChangeKind::Recommendation,
        ChangeKind::Activity,
        ChangeKind::Evaluation,
        ChangeKind::DissolutionProposal,
        ChangeKind::Reminder,
    ];

    /// The name the audit trail and the outbox use.
    pub fn as_str(self) -> &'static str {
        match self {
            ChangeKind::Cooperative => "cooperative",
            ChangeKind::AnnualReport => "annual_report",
            ChangeKind::Ukm => "ukm",
            ChangeKind::UkmYearlyFigures => "ukm_yearly_figures",
            ChangeKind::Programme => "programme",
            ChangeKind::Case => "case",
            ChangeKind::Diagnosis => "diagnosis",
            ChangeKind::Recommendation => "recommendation",
            ChangeKind::Activity => "activity",
            ChangeKind::Evaluation => "evaluation",
            ChangeKind::DissolutionProposal => "dissolution_proposal",
            ChangeKind::Reminder => "reminder",
        }
    }

    pub fn parse(text: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|k| k.as_str() == text)
    }

    /// The read scope an integration client needs to follow this kind.
    pub fn scope(self) -> Scope {
        match self {
            ChangeKind::Cooperative
            | ChangeKind::AnnualReport
            | ChangeKind::Ukm
            | ChangeKind::UkmYearlyFigures => Scope::RegistryRead,
            _ => Scope::ClinicRead,
        }
    }

    /// Whether `caller` may follow this kind: every staff role, and clients with its scope.
    pub fn readable_by(self, caller: &Caller) -> bool {
        match caller {
            Caller::User { .. } => true,
            Caller::Client { scopes, .. } => scopes.contains(&self.scope()),
        }
    }
}

/// Writes the feed's entry for a change just audited, in the change's transaction (nothing for a
/// kind the feed does not follow).
pub fn follow(conn: &mut AnyConnection, kind: &str, action: &str, id: &str) -> Result<(), Error> {
    if !store::follows(kind) {
        return Ok(());
    }
    let id: i64 = id
        .parse()
        .map_err(|_| Error::internal(&format!("a {kind} id that is not a number")))?;
    Ok(store::record(conn, kind, action, &[id])?)
}

/// As [`follow`], for many records of one kind changed at once (an import).
pub fn follow_many(
    conn: &mut AnyConnection,
    kind: &str,
    changes: &[(&str, i64)],
) -> Result<(), Error> {
    let mut actions: Vec<&str> = changes.iter().map(|(action, _)| *action).collect();
    actions.sort_unstable();
    actions.dedup();
    for action in actions {
        let ids: Vec<i64> = changes
            .iter()
            .filter(|(a, _)| *a == action)
            .map(|(_, id)| *id)
            .collect();
        store::record(conn, kind, action, &ids)?;
    }
    Ok(())
}

pub const DEFAULT_LIMIT: u32 = 100;
pub const MAX_LIMIT: u32 = 500;

/// How to read the feed.
#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct ChangesQuery {
    /// The cursor: the `next_after` of the previous page (or a `head` taken before a full sync).
    /// Absent: from the oldest change the feed still keeps.
    #[param(minimum = 0, example = 0)]
    pub after: Option<i64>,
    /// Comma-separated kinds to follow (default: every kind the caller may read).
    #[param(value_type = Option<String>, example = "cooperative,annual_report")]
    pub kinds: Option<String>,
    /// Entries per page (default 100).
    #[param(minimum = 1, maximum = 500)]
    pub limit: Option<u32>,
}

/// One change.
#[derive(Debug, Serialize, ToSchema)]
pub struct Change {
    /// Its place in the feed: pass it as `after` to read what follows.
    #[schema(example = 42, minimum = 1)]
    pub position: i64,
    pub kind: ChangeKind,
    /// The record's id.
    #[schema(example = 7)]
    pub id: i64,
    /// What happened: `create`, `update`, `archive`, `delete` (an annual report),
    /// `transition`, `status` (a cooperative's status recomputed or set by a clinic decision),
    /// `set_status_override` / `clear_status_override`, `score` and `finalize` (a diagnosis),
    /// `override_outcome` (a case).
    #[schema(example = "update")]
    pub action: String,
    /// The record's version after this change (its `ETag`); null when the change removed it.
    #[schema(example = 3)]
    pub version: Option<i64>,
    pub occurred_at: DateTime<Utc>,
    /// The record as its own `GET` shows it to you now (personal data masked as there; it may
    /// be at a later version than this change's). Null when the record no longer exists.
    pub record: Option<ChangedRecord>,
}

/// A page of the feed.
#[derive(Debug, Serialize, ToSchema)]
pub struct ChangesPage {
    pub items: Vec<Change>,
    /// The cursor for the next page: pass it as `after`.
    #[schema(example = 42, minimum = 0)]
    pub next_after: i64,
    /// The newest position in the feed when this page was read.
    #[schema(example = 57, minimum = 0)]
    pub head: i64,
    /// Whether more entries follow `next_after` already.
    pub has_more: bool,
}

fn kinds_of(caller: &Caller, requested: Option<&str>) -> Result<Vec<ChangeKind>, Error> {
    let Some(text) = requested else {
        let all: Vec<ChangeKind> = ChangeKind::ALL
            .into_iter()
            .filter(|k| k.readable_by(caller))
            .collect();
        if all.is_empty() {
            return Err(Error::forbidden(msg!(
                "Following the change feed needs the scope registry:read or clinic:read."
            )));
        }
        return Ok(all);
    };
    let mut kinds = Vec::new();
    for name in text.split(',').map(str::trim) {
        let kind = ChangeKind::parse(name).ok_or_else(|| {
            Error::query(
                "kinds",
                "invalid_enum_value",
                msg!("is not a list of known kinds"),
            )
        })?;
        if !kind.readable_by(caller) {
            return Err(Error::forbidden(msg!(
                "Your scopes do not cover the kind %{kind}.",
                kind = kind.as_str()
            )));
        }
        if !kinds.contains(&kind) {
            kinds.push(kind);
        }
    }
    Ok(kinds)
}

/// One page of the feed after `query.after`, of the kinds the caller may read.
pub async fn list(ctx: &Ctx, query: ChangesQuery) -> Result<ChangesPage, Error> {
    let kinds = kinds_of(&ctx.caller, query.kinds.as_deref())?;
    if query.after.is_some_and(|after| after < 0) {
        return Err(Error::query(
            "after",
            "out_of_range",
            msg!("must be 0 or more"),
        ));
    }
    let limit = query.limit.unwrap_or(DEFAULT_LIMIT);
    if !(1..=MAX_LIMIT).contains(&limit) {
        return Err(Error::query(
            "limit",
            "out_of_range",
            msg!("must be between 1 and %{max}", max = MAX_LIMIT),
        ));
    }
    sequence(&ctx.app).await?;
    let names: Vec<&'static str> = kinds.iter().map(|k| k.as_str()).collect();
    let asked = query.after;
    let (bounds, rows) = ctx
        .read(move |conn, _| {
            // The head first: every position up to it is committed, so the page cannot miss one.
            let bounds = store::bounds(conn)?;
            let after = asked.unwrap_or(bounds.purged_through);
            let rows = store::page(conn, after, bounds.head, &names, i64::from(limit) + 1)?;
            Ok::<_, Error>((bounds, rows))
        })
        .await?;
    let after = asked.unwrap_or(bounds.purged_through);
    if after < bounds.purged_through {
        return Err(Error::Gone {
            code: "cursor_expired",
            detail: msg!(
                "This cursor is older than the change feed keeps. Sync again from the lists with updated_since, then follow the feed from its head."
            ),
        });
    }
    if after > bounds.head {
        return Err(Error::query(
            "after",
            "unknown_cursor",
            msg!("is beyond the newest change"),
        ));
    }
    let has_more = rows.len() > limit as usize;
    let rows: Vec<ChangeRow> = rows.into_iter().take(limit as usize).collect();
    let next_after = match rows.last() {
        Some(last) if has_more => last.position.unwrap_or(after),
        // Nothing more of these kinds up to the head: the caller may skip to it.
        _ => bounds.head,
    };
    let mut items = Vec::with_capacity(rows.len());
    for row in rows {
        if let Some(change) = records::show(ctx, row).await? {
            items.push(change);
        }
    }
    Ok(ChangesPage {
        items,
        next_after,
        head: bounds.head,
        has_more,
    })
}

/// A feed entry as `ctx`'s caller sees it (`None` when they may not see the record): what a
/// webhook delivery sends.
pub async fn show_as(ctx: &Ctx, row: ChangeRow) -> Result<Option<Change>, Error> {
    records::show(ctx, row).await
}

/// Gives committed entries their positions (a write only when some wait for one).
pub async fn sequence(app: &App) -> Result<i64, Error> {
    let waiting = app
        .read(|conn| Ok::<_, Error>(store::has_unsequenced(conn)?))
        .await?;
    if !waiting {
        return app
            .read(|conn| Ok::<_, Error>(store::bounds(conn)?.head))
            .await;
    }
    app.write(|conn| Ok::<_, Error>(store::sequence(conn)?))
        .await
}

/// The feed's backlog, for the operators' metrics.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Backlog {
    /// Committed entries not yet given a position (they wait for the next reader).
    pub unsequenced: i64,
    pub head: i64,
}

pub async fn backlog(app: &App) -> Result<Backlog, Error> {
    app.read(|conn| {
        Ok::<_, Error>(Backlog {
            unsequenced: store::count_unsequenced(conn)?,
            head: store::bounds(conn)?.head,
        })
    })
    .await
}

/// Removes entries older than `retention` (the daily job).
pub fn purge(
    conn: &mut AnyConnection,
    now: NaiveDateTime,
    retention: Duration,
) -> Result<usize, Error> {
    store::sequence(conn)?;
    Ok(store::purge_before(conn, now - retention)?)
}

fn entry(row: &ChangeRow, kind: ChangeKind, record: Option<ChangedRecord>) -> Change {
    Change {
        position: row.position.unwrap_or_default(),
        kind,
        id: row.record_id,
        action: row.action.clone(),
        version: row.version,
        occurred_at: utc(row.occurred_at),
        record,
    }
}
