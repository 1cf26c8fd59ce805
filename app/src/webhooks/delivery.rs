//! The delivery worker. Each round it gives committed changes their feed positions, fans new feed
//! entries out into deliveries (once, however many instances run), claims the deliveries that are
//! due (each claim is an attempt, leased so that no other instance makes it meanwhile), and posts
//! them signed per the Standard Webhooks specification. A delivery is posted until the receiver
//! answers 2xx (at least once: a crash between the post and its record means one more post, with
//! the same `webhook-id`); a failure is tried again after an exponential, jittered wait, and given
//! up once the delivery is older than the maximum age. A run of failures disables the subscription.

use std::collections::HashMap;
use std::sync::Arc;
use std::time::Duration as StdDuration;

use base64::Engine;
use chrono::{Duration, NaiveDateTime, Utc};
use hmac::{Hmac, Mac};
use klinik_domain::webhooks::{is_expired, retry_delay};
use klinik_persistence::changes::ChangeRow;
use klinik_persistence::webhooks::{self as store, AttemptResult, DeliveryRow};
use klinik_persistence::{clients, now_utc};
use serde_json::json;
use sha2::Sha256;

use super::target::{GuardedResolver, TargetRule, is_internal};
use super::{SubscriptionEntity, WebhookEvent, message_id};
use crate::changes::{self, ChangeKind};
use crate::context::Origin;
use crate::prelude::*;

/// How long an instance may take over one attempt before another may make it again.
const LEASE: Duration = Duration::seconds(60);
/// Deliveries claimed per round.
const BATCH: i64 = 20;
/// Feed entries fanned out per round.
const FAN_OUT: i64 = 500;
/// Characters of a receiver's answer kept in the delivery log.
const EXCERPT: usize = 512;

/// The HTTP client deliveries go out with: connect and total timeouts, no redirects, and the
/// resolver that keeps internal addresses out.
#[derive(Clone)]
pub struct Sender {
    client: reqwest::Client,
    rule: TargetRule,
}

impl Sender {
    pub fn new(rule: TargetRule) -> Result<Self, Error> {
        let client = reqwest::Client::builder()
            .connect_timeout(StdDuration::from_secs(5))
            .timeout(StdDuration::from_secs(10))
            .redirect(reqwest::redirect::Policy::none())
            .dns_resolver(Arc::new(GuardedResolver(rule)))
            .user_agent(concat!("klinik-kumkm-webhooks/", env!("CARGO_PKG_VERSION")))
            .build()
            .map_err(|e| Error::internal(&e))?;
        Ok(Sender { client, rule })
    }
}

/// The Standard Webhooks signature of one message: `v1,` and the base64 HMAC-SHA256, keyed with
/// the secret's bytes, of `id.timestamp.body`.
pub fn sign(secret: &str, id: &str, timestamp: i64, body: &str) -> Result<String, Error> {
    let key = base64::engine::general_purpose::STANDARD
        .decode(secret.trim_start_matches("whsec_"))
        .map_err(|_| Error::internal(&"a webhook secret that is not base64"))?;
    let mut mac = Hmac::<Sha256>::new_from_slice(&key).map_err(|e| Error::internal(&e))?;
    mac.update(format!("{id}.{timestamp}.{body}").as_bytes());
    Ok(format!(
        "v1,{}",
        base64::engine::general_purpose::STANDARD.encode(mac.finalize().into_bytes())
    ))
}

/// What one round did.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Round {
    pub fanned_out: usize,
    pub delivered: usize,
    pub failed: usize,
}

/// One round of the worker. Each write is preceded by a read that says whether it has work, so
/// that an idle server takes no write lock (SQLite has one for all).
pub async fn run_once(app: &App, sender: &Sender) -> Result<Round, Error> {
    changes::sequence(app).await?;
    let now = now_utc();
    let (behind, due) = app
        .read(move |conn| {
            Ok::<_, Error>((store::fan_out_behind(conn)?, store::has_due(conn, now)?))
        })
        .await?;
    let mut round = Round::default();
    if behind {
        round.fanned_out = fan_out(app).await?;
    }
    if !due && round.fanned_out == 0 {
        return Ok(round);
    }
    let now = now_utc();
    let claimed = app
        .write(move |conn| Ok::<_, Error>(store::claim_due(conn, now, now + LEASE, BATCH)?))
        .await?;
    for delivery in claimed {
        let kept = delivery.clone();
        match attempt(app, sender, delivery).await {
            Ok(true) => round.delivered += 1,
            Ok(false) => round.failed += 1,
            Err(error) => {
                unprepared(app, kept, &error).await?;
                round.failed += 1;
            }
        }
    }
    Ok(round)
}

/// Queues deliveries for the feed entries past the fan-out mark.
async fn fan_out(app: &App) -> Result<usize, Error> {
    app.write(|conn| {
        let scopes: HashMap<ClientId, Vec<klinik_domain::accounts::Scope>> =
            clients::active_scopes(conn)?;
        Ok::<_, Error>(store::fan_out(conn, FAN_OUT, |subscription, entry| {
            let Some(kind) = ChangeKind::parse(&entry.kind) else {
                return false;
            };
            subscription.kinds.split(',').any(|k| k == entry.kind)
                && scopes
                    .get(&subscription.client_id)
                    .is_some_and(|held| held.contains(&kind.scope()))
        })?)
    })
    .await
}

/// A delivery the server could not make (a record that would not load, a secret that would not
/// open): logged, and tried again later like a failed attempt, so that it never holds up the other
/// deliveries of its round. The receiver is not at fault: the subscription's streak stays.
async fn unprepared(app: &App, delivery: DeliveryRow, error: &Error) -> Result<(), Error> {
    tracing::warn!(delivery = delivery.id.get(), %error, "a webhook delivery could not be made");
    let result = judge(
        app,
        &delivery,
        Err("the server could not prepare this message".into()),
        now_utc(),
    );
    app.write(move |conn| Ok::<_, Error>(store::finish_attempt(conn, delivery.id, &result)?))
        .await
}

/// Runs rounds every `every` until the process ends; a round that finds work is followed at once
/// by the next.
pub async fn run_forever(app: App, every: StdDuration) {
    let sender = match Sender::new(app.integration.webhook_targets) {
        Ok(sender) => sender,
        Err(error) => {
            tracing::error!(%error, "webhook deliveries cannot start");
            return;
        }
    };
    loop {
        match run_once(&app, &sender).await {
            Ok(round) if round.fanned_out + round.delivered + round.failed > 0 => continue,
            Ok(_) => {}
            Err(error) => tracing::warn!(%error, "a webhook round failed"),
        }
        tokio::time::sleep(every).await;
    }
}

/// The message's body: the change as the feed shows it to the subscription's client.
async fn body_for(
    app: &App,
    delivery: &DeliveryRow,
    client: ClientId,
) -> Result<Option<String>, Error> {
    let row = app
        .read(move |conn| Ok::<_, Error>(clients::find(conn, client)?))
        .await?;
    if !row.active {
        return Ok(None);
    }
    let caller = Caller::Client {
        id: row.id,
        client_id: row.client_id,
        name: row.name,
        scopes: row.scopes.0,
    };
    let ctx = Ctx::new(app.clone(), caller, &Origin::default());
    let entry = ChangeRow {
        id: 0,
        position: Some(delivery.position),
        occurred_at: delivery.occurred_at,
        kind: delivery.kind.clone(),
        record_id: delivery.record_id,
        action: delivery.action.clone(),
        version: delivery.version,
    };
    let Some(change) = changes::show_as(&ctx, entry).await? else {
        return Ok(None);
    };
    let event = WebhookEvent {
        event_type: format!("{}.{}", delivery.kind, delivery.action),
        timestamp: Utc::now(),
        data: change,
    };
    Ok(Some(
        serde_json::to_string(&event).map_err(|e| Error::internal(&e))?,
    ))
}

/// Makes one attempt and records it; true when the receiver took it.
async fn attempt(app: &App, sender: &Sender, delivery: DeliveryRow) -> Result<bool, Error> {
    let id = delivery.subscription_id;
    let subscription = app
        .read(move |conn| SubscriptionEntity::find(conn, id))
        .await?;
    let secret = app.data_key.decrypt(&subscription.secret)?;
    let outcome = match body_for(app, &delivery, subscription.client_id).await? {
        None => Err("the client is inactive or may no longer read this record".to_owned()),
        Some(body) => {
            post(
                sender,
                &subscription.url,
                &secret,
                &message_id(delivery.id),
                body,
            )
            .await
        }
    };
    let finished = now_utc();
    let delivered = matches!(outcome, Ok((status, _)) if (200..300).contains(&status));
    let result = judge(app, &delivery, outcome, finished);
    let outcome = if delivered {
        "delivered"
    } else {
        result_name(&result)
    };
    let streak = if delivered {
        0
    } else {
        subscription.failure_streak + 1
    };
    let limit = app.integration.webhook_disable_after;
    let disable = !delivered && streak >= limit as i32 && subscription.enabled;
    let delivery_id = delivery.id;
    let audit_app = app.clone();
    app.write(move |conn| {
        store::finish_attempt(conn, delivery_id, &result)?;
        let reason = disable.then(|| format!("{streak} failed attempts in a row"));
        store::set_health(conn, id, streak, reason.as_deref())?;
        if let Some(reason) = reason {
            let ctx = Ctx::system(audit_app, "webhooks");
            versioned::committed(
                conn,
                &ctx,
                "disable",
                SubscriptionEntity::KIND,
                &id.to_string(),
                Some(
                    json!({"enabled": {"before": true, "after": false}, "disabled_reason": reason}),
                ),
            )?;
        }
        Ok::<_, Error>(())
    })
    .await?;
    let lag = (finished - delivery.occurred_at).num_milliseconds() as f64 / 1000.0;
    if delivered {
        metrics::histogram!("klinik_webhook_delivery_lag_seconds").record(lag);
    }
    metrics::counter!("klinik_webhook_attempts_total", "outcome" => outcome).increment(1);
    Ok(delivered)
}

fn result_name(result: &AttemptResult) -> &'static str {
    if result.status == "dead" {
        "dead"
    } else {
        "failed"
    }
}

/// What an attempt's outcome makes of the delivery: delivered, tried again later, or dead.
fn judge(
    app: &App,
    delivery: &DeliveryRow,
    outcome: Result<(u16, String), String>,
    at: NaiveDateTime,
) -> AttemptResult {
    let (status_code, error, excerpt) = match outcome {
        Ok((code, excerpt)) if (200..300).contains(&code) => {
            return AttemptResult {
                status_code: Some(i32::from(code)),
                error: None,
                excerpt: Some(excerpt),
                status: "delivered",
                next_attempt_at: at,
                at,
            };
        }
        Ok((code, excerpt)) => (
            Some(i32::from(code)),
            Some(format!("the receiver answered {code}")),
            Some(excerpt),
        ),
        Err(error) => (None, Some(error), None),
    };
    let settings = &app.integration;
    let age = (at - delivery.created_at).to_std().unwrap_or_default();
    let attempts = u32::try_from(delivery.attempts).unwrap_or(u32::MAX);
    let wait = retry_delay(settings.webhook_retry_base, attempts, rand_unit());
    let dead = is_expired(age, settings.webhook_max_age);
    AttemptResult {
        status_code,
        error,
        excerpt,
        status: if dead { "dead" } else { "pending" },
        next_attempt_at: at + Duration::from_std(wait).unwrap_or(Duration::zero()),
        at,
    }
}

/// A number in [0, 1) for the jitter.
fn rand_unit() -> f64 {
    let mut bytes = [0u8; 4];
    if getrandom::fill(&mut bytes).is_err() {
        return 0.5;
    }
    f64::from(u32::from_le_bytes(bytes)) / (f64::from(u32::MAX) + 1.0)
}

/// Posts one message; the receiver's status and the start of its answer, or why none came.
async fn post(
    sender: &Sender,
    url: &str,
    secret: &str,
    id: &str,
    body: String,
) -> Result<(u16, String), String> {
    let parsed = reqwest::Url::parse(url).map_err(|_| "the URL does not parse".to_owned())?;
    if sender.rule == TargetRule::PublicOnly
        && let Some(host) = parsed.host_str()
        && let Ok(ip) = host.trim_start_matches('[').trim_end_matches(']').parse()
        && is_internal(ip)
    {
        return Err("the URL points at an internal address".into());
    }
    let timestamp = Utc::now().timestamp();
    let signature = sign(secret, id, timestamp, &body).map_err(|e| e.to_string())?;
    let response = sender
        .client
        .post(parsed)
        .header("content-type", "application/json")
        .header("webhook-id", id)
        .header("webhook-timestamp", timestamp.to_string())
        .header("webhook-signature", signature)
        .body(body)
        .send()
        .await
        .map_err(|e| describe(&e))?;
    let status = response.status().as_u16();
    Ok((status, excerpt(response).await))
}

/// The start of an answer, read no further than needed.
async fn excerpt(mut response: reqwest::Response) -> String {
    let mut kept = Vec::new();
    while kept.len() < EXCERPT * 4 {
        match response.chunk().await {
            Ok(Some(chunk)) => kept.extend_from_slice(&chunk),
            _ => break,
        }
    }
    String::from_utf8_lossy(&kept)
        .chars()
        .take(EXCERPT)
        .collect()
}

/// Why a post failed, in words that hold no secret (reqwest's errors name the URL, which the
/// admin entered, and the cause).
fn describe(error: &reqwest::Error) -> String {
    let what = if error.is_timeout() {
        "timed out"
    } else if error.is_connect() {
        "could not connect"
    } else {
        "failed"
    };
    let mut text = format!("the post {what}");
    let mut source = std::error::Error::source(error);
    while let Some(cause) = source {
        text = format!("{text}: {cause}");
        source = cause.source();
    }
    text.chars().take(EXCERPT).collect()
}
