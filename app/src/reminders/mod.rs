//! Reminders: what the daily job finds due (docs/domain.md, "Reminders"), who hears of it, and
//! the daily digest. Each reminder is one row per kind and record while it is due; when no longer
//! due it is resolved and leaves every list. Both moves are change feed entries (kind
//! `reminder`), so other channels (WhatsApp gateways and the like) follow them by webhook.

pub mod digest;
pub mod model;
pub mod notifications;

use std::collections::{HashMap, HashSet};

use chrono::{Duration, NaiveDate, NaiveDateTime};
use klinik_domain::reminders::{ReminderKind, overdue_after, past_due, rat_book_year};
use klinik_persistence::changes as feed;
use klinik_persistence::notifications as inbox;
use klinik_persistence::reminders::{self as store, Due};

use crate::clinic::cases::access::{CaseScope, visible_case};
use crate::prelude::*;
pub use model::Reminder;

/// What the day's run changed.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Run {
    pub created: usize,
    pub resolved: usize,
    pub notified: usize,
    pub digests: usize,
}

/// Finds what is due on `now`'s day, brings the reminders in line (new ones created, gone ones
/// resolved), notifies the people each concerns, and queues the day's digests. One transaction.
pub fn run(conn: &mut AnyConnection, app: &App, now: NaiveDateTime) -> Result<Run, Error> {
    let today = now.date();
    let (due, responsible) = find_due(conn, app, today)?;
    let live = store::live(conn)?;
    let key = |kind: ReminderKind, subject_kind: &str, id: i64| (kind, subject_kind.to_owned(), id);
    let due_keys: HashSet<_> = due
        .iter()
        .map(|d| key(d.kind, d.subject_kind, d.subject_id))
        .collect();
    let live_keys: HashSet<_> = live
        .iter()
        .map(|r| key(r.kind, &r.subject_kind, r.subject_id))
        .collect();

    let gone: Vec<ReminderId> = live
        .iter()
        .filter(|r| !due_keys.contains(&key(r.kind, &r.subject_kind, r.subject_id)))
        .map(|r| r.id)
        .collect();
    store::resolve(conn, &gone)?;
    feed::record(
        conn,
        "reminder",
        "resolve",
        &gone.iter().map(|id| id.get()).collect::<Vec<_>>(),
    )?;

    let resolved: HashSet<ReminderId> = gone.iter().copied().collect();
    let mut current: Vec<_> = live
        .into_iter()
        .filter(|r| !resolved.contains(&r.id))
        .collect();
    let mut created = Vec::new();
    for d in due
        .iter()
        .filter(|d| !live_keys.contains(&key(d.kind, d.subject_kind, d.subject_id)))
    {
        let row = store::insert(conn, d)?;
        created.push(row.id.get());
        current.push(row);
    }
    feed::record(conn, "reminder", "create", &created)?;

    // Who each concerns: the office's officers, the people on its case, and a recommendation's
    // responsible user.
    let officers = store::users_with_role(conn, "officer")?;
    let case_ids: Vec<i64> = current.iter().filter_map(|r| r.case_id).collect();
    let mut on_case: HashMap<i64, Vec<i64>> = HashMap::new();
    for (case, user) in store::case_people(conn, &case_ids)? {
        on_case.entry(case).or_default().push(user);
    }
    let mut pairs = Vec::new();
    for reminder in &current {
        let mut people: Vec<i64> = officers.clone();
        if let Some(case) = reminder.case_id {
            people.extend(on_case.get(&case).into_iter().flatten());
        }
        if reminder.subject_kind == "recommendation"
            && let Some(user) = responsible.get(&reminder.subject_id)
        {
            people.push(*user);
        }
        people.sort_unstable();
        people.dedup();
        pairs.extend(people.into_iter().map(|u| (UserId(u), reminder.id)));
    }
    let notified = inbox::notify(conn, &pairs)?;
    let digests = digest::queue_all(conn, app, today)?;
    let run = Run {
        created: created.len(),
        resolved: gone.len(),
        notified,
        digests,
    };
    if run != Run::default() {
        tracing::info!(
            created = run.created,
            resolved = run.resolved,
            notified,
            digests,
            "reminders updated"
        );
    }
    Ok(run)
}

/// Everything due on `today`, and the responsible user of each open recommendation.
fn find_due(
    conn: &mut AnyConnection,
    app: &App,
    today: NaiveDate,
) -> Result<(Vec<Due>, HashMap<i64, i64>), Error> {
    let settings = &app.reminders;
    let mut due = Vec::new();
    let recommendations = store::open_recommendations(conn)?;
    let responsible = recommendations
        .iter()
        .filter_map(|r| r.responsible_user_id.map(|u| (r.id, u)))
        .collect();
    for r in &recommendations {
        if let Some(due_on) = r.due_on
            && past_due(due_on, today)
        {
            due.push(Due {
                kind: ReminderKind::RecommendationOverdue,
                subject_kind: "recommendation",
                subject_id: r.id,
                case_id: Some(r.case_id),
                due_since: due_on + Duration::days(1),
            });
        }
    }
    let capital: Vec<i64> = recommendations
        .iter()
        .filter(|r| r.kind == "permodalan" && r.status != "proposed" && r.approved_on.is_none())
        .map(|r| r.id)
        .collect();
    let agreed = store::agreed_at(conn, &capital)?;
    for r in recommendations.iter().filter(|r| capital.contains(&r.id)) {
        if let Some(at) = agreed.get(&r.id)
            && overdue_after(at.date(), today, settings.capital_days)
        {
            due.push(Due {
                kind: ReminderKind::CapitalUnreported,
                subject_kind: "recommendation",
                subject_id: r.id,
                case_id: Some(r.case_id),
                due_since: at.date() + Duration::days(i64::from(settings.capital_days)),
            });
        }
    }
    let following = store::cases_in(conn, &["mentoring", "evaluating"], "mentoring")?;
    let ids: Vec<i64> = following.iter().map(|(id, _, _)| *id).collect();
    let activity = store::last_activity(conn, &ids)?;
    let evaluation = store::last_evaluation(conn, &ids)?;
    for (case, status, entered) in following {
        let Some(entered) = entered.map(|t| t.date()) else {
            continue;
        };
        let checks = [
            (
                ReminderKind::CaseIdle,
                activity.get(&case),
                settings.idle_days,
                status == "mentoring",
            ),
            (
                ReminderKind::EvaluationDue,
                evaluation.get(&case),
                settings.evaluation_days,
                true,
            ),
        ];
        for (kind, last, days, applies) in checks {
            let since = last.copied().map_or(entered, |d| d.max(entered));
            if applies && overdue_after(since, today, days) {
                due.push(Due {
                    kind,
                    subject_kind: "case",
                    subject_id: case,
                    case_id: Some(case),
                    due_since: since + Duration::days(i64::from(days)),
                });
            }
        }
    }
    let book_year = rat_book_year(today);
    let deadline_passed = NaiveDate::from_ymd_opt(book_year + 1, 7, 1).unwrap_or(today);
    for (cooperative, rat_held) in store::active_cooperatives_rat(conn, book_year)? {
        let kind = match rat_held {
            None => ReminderKind::AnnualReportMissing,
            Some(false) => ReminderKind::RatOverdue,
            Some(true) => continue,
        };
        due.push(Due {
            kind,
            subject_kind: "cooperative",
            subject_id: cooperative,
            case_id: None,
            due_since: deadline_passed,
        });
    }
    Ok((due, responsible))
}

/// A reminder as the change feed shows it: staff and clients with `clinic:read`; an assessor only
/// those of their teams' cases and of the registries.
pub async fn get(ctx: &Ctx, id: ReminderId) -> Result<Reminder, Error> {
    ctx.read(move |conn, ctx| {
        let row = store::find(conn, id).map_err(Error::missing(Record::Reminder))?;
        if let Some(case) = row.case_id {
            let scope = CaseScope::of(conn, &ctx.caller)?;
            match visible_case(conn, &scope, CaseId(case)) {
                Err(Error::NotFound { .. }) => return Err(Error::not_found(Record::Reminder)),
                other => other?,
            };
        }
        Ok(Reminder::from(row))
    })
    .await
}
