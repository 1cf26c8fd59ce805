//! Background jobs that keep the data right as time passes: daily, in process, and run once per
//! due time however many instances share the database (each run is claimed with a conditional
//! UPDATE of its `scheduled_jobs` row; see persistence/src/scheduled_jobs.rs).

use std::time::Duration as StdDuration;

use chrono::{Duration, NaiveDateTime};
use futures_util::future::{BoxFuture, FutureExt};
use klinik_persistence::{idempotency, scheduled_jobs, sessions};

use crate::prelude::*;
use crate::registry::cooperatives::status;

/// A job: its name (the key of its row) and what it does; returns how many records it touched.
pub struct Job {
    pub name: &'static str,
    pub every: Duration,
    run: Work,
}

/// What a job does: work in one database transaction, or work that also reaches the document
/// store (and so cannot run inside one).
#[derive(Clone, Copy)]
enum Work {
    Database(fn(&mut AnyConnection, &App, NaiveDateTime) -> Result<usize, Error>),
    Store(fn(App, NaiveDateTime) -> BoxFuture<'static, Result<usize, Error>>),
}

/// How long after a failed run the job is tried again.
const RETRY_AFTER_FAILURE: Duration = Duration::hours(1);

/// Every job, in the order they run on a tick.
pub const JOBS: &[Job] = &[
    // A new year changes which book year's RAT makes a cooperative active.
    Job {
        name: "refresh_activity_statuses",
        every: Duration::days(1),
        run: Work::Database(|conn, app, _| Ok(status::refresh_all(conn, app.activity_rule)?)),
    },
    Job {
        name: "purge_idempotency_keys",
        every: Duration::days(1),
        run: Work::Database(|conn, app, now| {
            let ttl = Duration::from_std(app.protection.idempotency_ttl)
                .map_err(|e| Error::internal(&e))?;
            Ok(idempotency::purge_expired(conn, now - ttl)?)
        }),
    },
    // Older than any lockout window.
    Job {
        name: "purge_sign_in_failures",
        every: Duration::days(1),
        run: Work::Database(|conn, _, now| {
            Ok(sessions::purge_failures_before(
                conn,
                now - Duration::days(1),
            )?)
        }),
    },
    // The change feed keeps its entries for the configured retention.
    Job {
        name: "purge_change_feed",
        every: Duration::days(1),
        run: Work::Database(|conn, app, now| {
            let retention = Duration::from_std(app.integration.change_retention)
                .map_err(|e| Error::internal(&e))?;
            crate::changes::purge(conn, now, retention)
        }),
    },
    Job {
        name: "purge_expired_refresh_tokens",
        every: Duration::days(1),
        run: Work::Database(|conn, _, now| Ok(sessions::purge_expired_before(conn, now)?)),
    },
    // What is due today, who hears of it, and the day's e-mail digests.
    Job {
        name: "compute_reminders",
        every: Duration::days(1),
        run: Work::Database(|conn, app, now| {
            let run = crate::reminders::run(conn, app, now)?;
            Ok(run.created + run.resolved + run.notified + run.digests)
        }),
    },
    // Digests waiting in the outbox (new, or a retry after a failure).
    Job {
        name: "send_email_digests",
        every: Duration::minutes(5),
        run: Work::Store(|app, now| {
            async move { crate::reminders::digest::send_due(&app, now).await }.boxed()
        }),
    },
    // Files a crash or a failed delete left in the document store without a record.
    Job {
        name: "remove_orphaned_documents",
        every: Duration::days(1),
        run: Work::Store(|app, now| {
            async move { crate::documents::cleanup::remove_orphans(&app, now.and_utc()).await }
                .boxed()
        }),
    },
];

/// What one due job did on this instance.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct JobRun {
    pub name: &'static str,
    /// Records touched, or the failure.
    pub outcome: Result<usize, String>,
}

/// Runs every job that is due and that this instance (`holder`) claims; others skip it.
pub async fn run_due(app: &App, holder: &str) -> Vec<JobRun> {
    let mut runs = Vec::new();
    for job in JOBS {
        let now = klinik_persistence::now_utc();
        let (name, next, holder_name) = (job.name, now + job.every, holder.to_owned());
        let claimed = app
            .write(move |conn| {
                scheduled_jobs::claim(conn, name, &holder_name, now, next).map_err(Error::from)
            })
            .await;
        match claimed {
            Ok(true) => {}
            Ok(false) => continue,
            Err(Error::Conflict { .. }) => continue,
            Err(e) => {
                tracing::warn!(job = name, error = %e, "could not claim a job run");
                continue;
            }
        }
        let outcome = match job.run {
            Work::Database(run) => {
                let app2 = app.clone();
                app.write(move |conn| run(conn, &app2, now)).await
            }
            Work::Store(run) => run(app.clone(), now).await,
        }
        .map_err(|e| e.to_string());
        let finished = klinik_persistence::now_utc();
        let (text, retry) = match &outcome {
            Ok(n) => (format!("ok: {n}"), None),
            Err(e) => (format!("failed: {e}"), Some(finished + RETRY_AFTER_FAILURE)),
        };
        match &outcome {
            Ok(touched) => tracing::info!(job = name, touched, "job done"),
            Err(error) => tracing::warn!(job = name, %error, "job failed"),
        }
        let result = if outcome.is_ok() { "ok" } else { "failed" };
        metrics::counter!("klinik_scheduler_runs_total", "job" => name, "outcome" => result)
            .increment(1);
        metrics::gauge!("klinik_scheduler_last_run_timestamp_seconds", "job" => name)
            .set(finished.and_utc().timestamp() as f64);
        let recorded = app
            .write(move |conn| {
                scheduled_jobs::finish(conn, name, finished, &text, retry).map_err(Error::from)
            })
            .await;
        if let Err(e) = recorded {
            tracing::warn!(job = name, error = %e, "could not record a job run");
        }
        runs.push(JobRun { name, outcome });
    }
    runs
}

/// Checks for due jobs every `tick` until the process ends.
pub async fn run_forever(app: App, tick: StdDuration) {
    let holder = format!("{}-{}", std::process::id(), uuid::Uuid::new_v4());
    let mut interval = tokio::time::interval(tick);
    interval.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        interval.tick().await;
        run_due(&app, &holder).await;
    }
}
