//! Webhooks: admins subscribe an integration client's URL to kinds of change; each change the
//! client's scopes cover is posted there, signed per the Standard Webhooks specification, at least
//! once ([`delivery`]). A subscription's secret is shown once, at creation.

pub mod delivery;
mod target;

use chrono::{DateTime, Utc};
use klinik_persistence::StoreError;
use klinik_persistence::clients;
use klinik_persistence::webhooks::{
    self as store, DeliveryRow, NewSubscription, SubscriptionChanges, SubscriptionRow,
};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use crate::changes::ChangeKind;
use crate::fields::{present, utc};
use crate::prelude::*;

pub use target::{TargetRule, check_url};

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"client_id": 3, "url": "https://sikopdes.jabarprov.go.id/hooks/klinik",
    "kinds": ["cooperative", "annual_report"]}))]
pub struct CreateSubscription {
    /// The integration client the deliveries are for: it sees what its scopes cover.
    #[schema(minimum = 1)]
    pub client_id: i64,
    /// Where to post: `https://` (plain `http://` and private addresses only where the server
    /// allows them, `KLINIK_WEBHOOK_ALLOW_PRIVATE`).
    #[schema(min_length = 1, max_length = 2000)]
    pub url: String,
    /// The kinds of change to send; each must be covered by the client's read scopes.
    #[schema(min_items = 1, max_items = 12)]
    pub kinds: Vec<ChangeKind>,
}

#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"enabled": true}))]
pub struct PatchSubscription {
    #[serde(default, deserialize_with = "present")]
    #[schema(value_type = String, min_length = 1, max_length = 2000)]
    pub url: Option<String>,
    #[serde(default, deserialize_with = "present")]
    #[schema(value_type = Vec<ChangeKind>, min_items = 1, max_items = 12)]
    pub kinds: Option<Vec<ChangeKind>>,
    /// `true` turns a subscription back on after a run of failures disabled it (its waiting
    /// deliveries then go out); `false` pauses it (they wait).
    #[serde(default, deserialize_with = "present")]
    #[schema(value_type = bool)]
    pub enabled: Option<bool>,
}

/// A webhook subscription (never its secret).
#[derive(Debug, Serialize, ToSchema)]
#[schema(example = json!({"id": 1, "client_id": 3, "url": "https://sikopdes.jabarprov.go.id/hooks/klinik",
    "kinds": ["cooperative", "annual_report"], "enabled": true, "disabled_reason": null,
    "failure_streak": 0, "version": 1, "created_at": "2026-12-05T08:00:00Z",
    "updated_at": "2026-12-05T08:00:00Z"}))]
pub struct Subscription {
    pub id: i64,
    pub client_id: i64,
    pub url: String,
    pub kinds: Vec<ChangeKind>,
    pub enabled: bool,
    /// Why the server turned it off (a run of failed attempts), until an admin turns it on.
    pub disabled_reason: Option<String>,
    /// Failed attempts in a row; a delivered one resets it.
    pub failure_streak: i32,
    pub version: i64,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

/// A subscription with its signing secret: shown once, at creation, and never again.
#[derive(Debug, Serialize, ToSchema)]
pub struct SubscriptionWithSecret {
    #[serde(flatten)]
    pub subscription: Subscription,
    /// `whsec_` and 24 random bytes in base64: the key of the `webhook-signature` HMAC (Standard
    /// Webhooks). Keep it safe: it cannot be shown again.
    #[schema(example = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw")]
    pub secret: String,
}

impl Tagged for Subscription {
    fn version(&self) -> i64 {
        self.version
    }
}

impl Tagged for SubscriptionWithSecret {
    fn version(&self) -> i64 {
        self.subscription.version
    }
}

fn kinds_of(text: &str) -> Vec<ChangeKind> {
    text.split(',').filter_map(ChangeKind::parse).collect()
}

fn kinds_text(kinds: &[ChangeKind]) -> String {
    let mut names: Vec<&str> = kinds.iter().map(|k| k.as_str()).collect();
    names.sort_unstable();
    names.dedup();
    names.join(",")
}

impl From<SubscriptionRow> for Subscription {
    fn from(row: SubscriptionRow) -> Self {
        Subscription {
            id: row.id.get(),
            client_id: row.client_id.get(),
            url: row.url,
            kinds: kinds_of(&row.kinds),
            enabled: row.enabled,
            disabled_reason: row.disabled_reason,
            failure_streak: row.failure_streak,
            version: row.version,
            created_at: utc(row.created_at),
            updated_at: utc(row.updated_at),
        }
    }
}

/// A subscription: found by id; a change is its columns.
pub struct SubscriptionEntity;

impl Entity for SubscriptionEntity {
    type Id = WebhookSubscriptionId;
    type Row = SubscriptionRow;
    type View = Subscription;
    type Changes = SubscriptionChanges;
    const KIND: &'static str = "webhook_subscription";
    const NAME: Record = Record::WebhookSubscription;

    fn find(conn: &mut AnyConnection, id: Self::Id) -> Result<SubscriptionRow, Error> {
        store::find(conn, id).map_err(Error::missing(Self::NAME))
    }

    fn view(_: &mut AnyConnection, _: &Ctx, row: SubscriptionRow) -> Result<Subscription, Error> {
        Ok(Subscription::from(row))
    }

    fn store(
        conn: &mut AnyConnection,
        id: Self::Id,
        expected_version: i64,
        changes: SubscriptionChanges,
    ) -> Result<(), Error> {
        Ok(store::update(conn, id, expected_version, changes)?)
    }
}

impl Archived for SubscriptionEntity {
    fn archive(conn: &mut AnyConnection, id: Self::Id, expected_version: i64) -> Result<(), Error> {
        Ok(store::archive(conn, id, expected_version)?)
    }
}

fn check_kinds(kinds: &[ChangeKind]) -> Result<(), Error> {
    if kinds.is_empty() {
        return Err(Error::validation(
            "kinds",
            "kinds_required",
            msg!("at least one kind"),
        ));
    }
    if kinds.len() > ChangeKind::ALL.len() {
        return Err(Error::validation(
            "kinds",
            "too_many_items",
            msg!("at most %{max} kinds", max = ChangeKind::ALL.len()),
        ));
    }
    Ok(())
}

/// The client must exist, be active, and read every kind (422 naming the field otherwise).
fn check_client(
    conn: &mut AnyConnection,
    client_id: ClientId,
    kinds: &[ChangeKind],
) -> Result<(), Error> {
    let client = clients::find(conn, client_id).map_err(|e| match e {
        StoreError::NotFound => Error::validation(
            "client_id",
            "unknown_client",
            msg!("is not an integration client"),
        ),
        other => other.into(),
    })?;
    if !client.active {
        return Err(Error::validation(
            "client_id",
            "client_inactive",
            msg!("is an inactive client"),
        ));
    }
    if let Some(kind) = kinds.iter().find(|k| !client.scopes.0.contains(&k.scope())) {
        return Err(Error::validation(
            "kinds",
            "scope_missing",
            msg!(
                "the client's scopes do not cover %{kind}",
                kind = kind.as_str()
            ),
        ));
    }
    Ok(())
}

/// A new secret in the Standard Webhooks form.
fn new_secret() -> Result<String, Error> {
    use base64::Engine;
    let mut bytes = [0u8; 24];
    getrandom::fill(&mut bytes).map_err(|e| Error::internal(&e))?;
    Ok(format!(
        "whsec_{}",
        base64::engine::general_purpose::STANDARD.encode(bytes)
    ))
}

/// Subscribes a client's URL; the answer holds the signing secret, shown this once.
pub async fn create(ctx: &Ctx, input: CreateSubscription) -> Result<Created, Error> {
    if input.client_id < 1 {
        return Err(Error::validation(
            "client_id",
            "minimum",
            msg!("must be at least 1"),
        ));
    }
    check_kinds(&input.kinds)?;
    check_url(&input.url, ctx.app.integration.webhook_targets)?;
    let secret = new_secret()?;
    let sealed = ctx.app.data_key.encrypt(&secret)?;
    ctx.write(move |conn, ctx| {
        let client_id = ClientId(input.client_id);
        check_client(conn, client_id, &input.kinds)?;
        let new = NewSubscription {
            client_id,
            url: input.url,
            kinds: kinds_text(&input.kinds),
            secret: sealed,
        };
        let subscription = Subscription::from(store::insert(conn, &new)?);
        versioned::created::<SubscriptionEntity>(conn, ctx, subscription.id, &subscription)?;
        let location = format!("/api/v1/webhook-subscriptions/{}", subscription.id);
        Created::new(
            &SubscriptionWithSecret {
                subscription,
                secret,
            },
            location,
        )
    })
    .await
}

pub async fn list(ctx: &Ctx, query: PageQuery) -> Result<Page<Subscription>, Error> {
    let page = PageRequest::new(query.page, query.page_size)?;
    let (rows, total) = ctx
        .read(move |conn, _| Ok::<_, Error>(store::list(conn, page.limit(), page.offset())?))
        .await?;
    Ok(page.wrap(rows.into_iter().map(Subscription::from).collect(), total))
}

pub async fn get(ctx: &Ctx, id: WebhookSubscriptionId) -> Result<Subscription, Error> {
    ctx.read(move |conn, _| SubscriptionEntity::find(conn, id))
        .await
        .map(Subscription::from)
}

/// Changes the URL or kinds, or turns the subscription on or off (on again: its failure streak
/// starts from nothing).
pub async fn update(
    ctx: &Ctx,
    id: WebhookSubscriptionId,
    if_match: IfMatch,
    patch: PatchSubscription,
) -> Result<Subscription, Error> {
    if let Some(kinds) = &patch.kinds {
        check_kinds(kinds)?;
    }
    if let Some(url) = &patch.url {
        check_url(url, ctx.app.integration.webhook_targets)?;
    }
    ctx.write(move |conn, ctx| {
        versioned::update::<SubscriptionEntity>(conn, ctx, id, &if_match, |conn, current| {
            let kinds = patch
                .kinds
                .clone()
                .unwrap_or_else(|| kinds_of(&current.kinds));
            check_client(conn, current.client_id, &kinds)?;
            let turned_on = patch.enabled == Some(true);
            Ok(SubscriptionChanges {
                url: patch.url,
                kinds: patch.kinds.as_deref().map(kinds_text),
                enabled: patch.enabled,
                disabled_reason: turned_on.then_some(None),
                failure_streak: turned_on.then_some(0),
            })
        })
    })
    .await
}

/// Archives a subscription: nothing more is posted; its delivery log stays.
pub async fn archive(ctx: &Ctx, id: WebhookSubscriptionId, if_match: IfMatch) -> Result<(), Error> {
    versioned::archive_in_transaction::<SubscriptionEntity>(ctx, id, if_match).await
}

/// Where a delivery stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum DeliveryStatus {
    /// Waiting for its first or next attempt.
    Pending,
    /// The receiver answered 2xx.
    Delivered,
    /// Given up: older than `KLINIK_WEBHOOK_MAX_AGE_HOURS` after a failed attempt.
    Dead,
}

impl DeliveryStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            DeliveryStatus::Pending => "pending",
            DeliveryStatus::Delivered => "delivered",
            DeliveryStatus::Dead => "dead",
        }
    }

    fn parse(text: &str) -> Result<Self, Error> {
        match text {
            "pending" => Ok(DeliveryStatus::Pending),
            "delivered" => Ok(DeliveryStatus::Delivered),
            "dead" => Ok(DeliveryStatus::Dead),
            other => Err(Error::internal(&format!("unknown delivery status {other}"))),
        }
    }
}

/// One change on its way to one subscription, and how its attempts went.
#[derive(Debug, Serialize, ToSchema)]
pub struct Delivery {
    pub id: i64,
    pub subscription_id: i64,
    /// The `webhook-id` every attempt of it carries: a receiver drops a repeat by it.
    #[schema(example = "msg_42")]
    pub message_id: String,
    pub position: i64,
    pub kind: ChangeKind,
    pub record_id: i64,
    pub action: String,
    pub status: DeliveryStatus,
    pub attempts: i32,
    /// When it is next tried (pending only).
    pub next_attempt_at: Option<DateTime<Utc>>,
    pub last_attempt_at: Option<DateTime<Utc>>,
    /// The receiver's HTTP status on the last attempt, if it answered.
    pub last_status_code: Option<i32>,
    /// Why the last attempt failed, if it did (never the secret or the body sent).
    pub last_error: Option<String>,
    /// The first 512 characters at most of the receiver's last answer.
    pub response_excerpt: Option<String>,
    pub occurred_at: DateTime<Utc>,
    pub delivered_at: Option<DateTime<Utc>>,
}

/// What a subscription's URL receives: one change.
#[derive(Debug, Serialize, ToSchema)]
pub struct WebhookEvent {
    /// `{kind}.{action}`, e.g. `recommendation.transition`.
    #[serde(rename = "type")]
    #[schema(example = "recommendation.transition")]
    pub event_type: String,
    /// When the message was made.
    pub timestamp: DateTime<Utc>,
    /// The change as the change feed shows it to the subscription's client.
    pub data: crate::changes::Change,
}

/// Deliveries waiting, and how long ago the oldest one's change happened (the operators' gauges).
pub async fn backlog(app: &App) -> Result<(i64, Option<f64>), Error> {
    let (count, oldest) = app
        .read(|conn| Ok::<_, Error>(store::pending(conn)?))
        .await?;
    let now = klinik_persistence::now_utc();
    let age = oldest.map(|t| (now - t).num_milliseconds() as f64 / 1000.0);
    Ok((count, age))
}

pub fn message_id(id: WebhookDeliveryId) -> String {
    format!("msg_{id}")
}

impl Delivery {
    fn from_row(row: DeliveryRow) -> Result<Self, Error> {
        let status = DeliveryStatus::parse(&row.status)?;
        let kind = ChangeKind::parse(&row.kind)
            .ok_or_else(|| Error::internal(&format!("unknown change kind {}", row.kind)))?;
        Ok(Delivery {
            id: row.id.get(),
            subscription_id: row.subscription_id.get(),
            message_id: message_id(row.id),
            position: row.position,
            kind,
            record_id: row.record_id,
            action: row.action,
            status,
            attempts: row.attempts,
            next_attempt_at: (status == DeliveryStatus::Pending).then(|| utc(row.next_attempt_at)),
            last_attempt_at: row.last_attempt_at.map(utc),
            last_status_code: row.last_status_code,
            last_error: row.last_error,
            response_excerpt: row.response_excerpt,
            occurred_at: utc(row.occurred_at),
            delivered_at: row.delivered_at.map(utc),
        })
    }
}

/// The delivery log's filters.
#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct DeliveryQuery {
    /// Only deliveries in this state.
    pub status: Option<DeliveryStatus>,
    /// Page number, from 1.
    #[param(minimum = 1, maximum = 100000)]
    pub page: Option<u32>,
    /// Records per page (default 20).
    #[param(minimum = 1, maximum = 100)]
    pub page_size: Option<u32>,
}

/// A subscription's deliveries, newest first.
pub async fn deliveries(
    ctx: &Ctx,
    id: WebhookSubscriptionId,
    query: DeliveryQuery,
) -> Result<Page<Delivery>, Error> {
    let page = PageRequest::new(query.page, query.page_size)?;
    let status = query.status.map(DeliveryStatus::as_str);
    let (rows, total) = ctx
        .read(move |conn, _| {
            SubscriptionEntity::find(conn, id)?;
            Ok::<_, Error>(store::deliveries(
                conn,
                id,
                status,
                page.limit(),
                page.offset(),
            )?)
        })
        .await?;
    let items = rows
        .into_iter()
        .map(Delivery::from_row)
        .collect::<Result<_, _>>()?;
    Ok(page.wrap(items, total))
}

/// Sends a delivery again (with the same `webhook-id`), whatever became of it: it is pending from
/// now, and its maximum age counts from now. Audited.
pub async fn redeliver(
    ctx: &Ctx,
    id: WebhookSubscriptionId,
    delivery: WebhookDeliveryId,
) -> Result<Delivery, Error> {
    ctx.write(move |conn, ctx| {
        SubscriptionEntity::find(conn, id)?;
        store::find_delivery(conn, id, delivery)
            .map_err(Error::missing(Record::WebhookDelivery))?;
        store::redeliver(conn, delivery, klinik_persistence::now_utc())?;
        versioned::committed(
            conn,
            ctx,
            "redeliver",
            SubscriptionEntity::KIND,
            &id.to_string(),
            Some(serde_json::json!({"delivery_id": delivery.get()})),
        )?;
        Delivery::from_row(store::find_delivery(conn, id, delivery)?)
    })
    .await
}
