//! Webhook subscriptions and their deliveries (see the `webhooks` migration): turning feed entries
//! into deliveries once, claiming due deliveries so that each attempt is made by one instance,
//! and recording how each attempt went.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use crate::changes::ChangeRow;
use crate::ids::{ClientId, WebhookDeliveryId, WebhookSubscriptionId};
use crate::schema::{changes, webhook_deliveries, webhook_fanout, webhook_subscriptions};
use crate::{AnyConnection, StoreError, now_utc};

#[derive(Debug, Clone, PartialEq, Eq, Queryable, Selectable)]
#[diesel(table_name = webhook_subscriptions)]
pub struct SubscriptionRow {
    pub id: WebhookSubscriptionId,
    pub client_id: ClientId,
    pub url: String,
    pub kinds: String,
    /// Sealed; open it with the data key.
    pub secret: String,
    pub enabled: bool,
    pub disabled_reason: Option<String>,
    pub failure_streak: i32,
    pub version: i64,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
    pub archived_at: Option<NaiveDateTime>,
}

#[derive(Debug, Clone, Insertable)]
#[diesel(table_name = webhook_subscriptions)]
pub struct NewSubscription {
    pub client_id: ClientId,
    pub url: String,
    pub kinds: String,
    pub secret: String,
}

#[derive(Debug, Clone, Default, AsChangeset)]
#[diesel(table_name = webhook_subscriptions)]
pub struct SubscriptionChanges {
    pub url: Option<String>,
    pub kinds: Option<String>,
    pub enabled: Option<bool>,
    pub disabled_reason: Option<Option<String>>,
    pub failure_streak: Option<i32>,
}

crate::versioned_writes!(
    webhook_subscriptions,
    WebhookSubscriptionId,
    SubscriptionChanges,
    archive
);

pub fn insert(
    conn: &mut AnyConnection,
    new: &NewSubscription,
) -> Result<SubscriptionRow, StoreError> {
    let now = now_utc();
    Ok(diesel::insert_into(webhook_subscriptions::table)
        .values((
            new.clone(),
            webhook_subscriptions::enabled.eq(true),
            webhook_subscriptions::failure_streak.eq(0),
            webhook_subscriptions::version.eq(1),
            webhook_subscriptions::created_at.eq(now),
            webhook_subscriptions::updated_at.eq(now),
        ))
        .returning(webhook_subscriptions::all_columns)
        .get_result(conn)?)
}

/// A subscription that is not archived.
pub fn find(
    conn: &mut AnyConnection,
    id: WebhookSubscriptionId,
) -> Result<SubscriptionRow, StoreError> {
    Ok(webhook_subscriptions::table
        .find(id)
        .filter(webhook_subscriptions::archived_at.is_null())
        .select(SubscriptionRow::as_select())
        .first(conn)?)
}

/// Every subscription's sealed secret, archived ones too (a key rotation re-seals them).
pub fn sealed_secrets(
    conn: &mut AnyConnection,
) -> Result<Vec<(WebhookSubscriptionId, String)>, StoreError> {
    Ok(webhook_subscriptions::table
        .select((webhook_subscriptions::id, webhook_subscriptions::secret))
        .order(webhook_subscriptions::id)
        .load(conn)?)
}

pub fn reseal_secret(
    conn: &mut AnyConnection,
    id: WebhookSubscriptionId,
    sealed: &str,
) -> Result<(), StoreError> {
    diesel::update(webhook_subscriptions::table.find(id))
        .set(webhook_subscriptions::secret.eq(sealed))
        .execute(conn)?;
    Ok(())
}

/// Subscriptions not archived, oldest first, and how many there are.
pub fn list(
    conn: &mut AnyConnection,
    limit: i64,
    offset: i64,
) -> Result<(Vec<SubscriptionRow>, i64), StoreError> {
    let live = webhook_subscriptions::archived_at.is_null();
    let total = webhook_subscriptions::table
        .filter(live)
        .count()
        .get_result(conn)?;
    let rows = webhook_subscriptions::table
        .filter(live)
        .order(webhook_subscriptions::id)
        .limit(limit)
        .offset(offset)
        .select(SubscriptionRow::as_select())
        .load(conn)?;
    Ok((rows, total))
}

/// Sets what the worker keeps on a subscription (its failure streak, and whether a run of
/// failures disabled it), without moving the version an admin's `If-Match` names.
pub fn set_health(
    conn: &mut AnyConnection,
    id: WebhookSubscriptionId,
    failure_streak: i32,
    disabled_reason: Option<&str>,
) -> Result<(), StoreError> {
    let target = webhook_subscriptions::table.find(id);
    match disabled_reason {
        None => diesel::update(target)
            .set(webhook_subscriptions::failure_streak.eq(failure_streak))
            .execute(conn)?,
        Some(reason) => diesel::update(target)
            .set((
                webhook_subscriptions::failure_streak.eq(failure_streak),
                webhook_subscriptions::enabled.eq(false),
                webhook_subscriptions::disabled_reason.eq(reason),
                webhook_subscriptions::updated_at.eq(now_utc()),
            ))
            .execute(conn)?,
    };
    Ok(())
}

#[derive(Debug, Clone, PartialEq, Eq, Queryable, Selectable)]
#[diesel(table_name = webhook_deliveries)]
pub struct DeliveryRow {
    pub id: WebhookDeliveryId,
    pub subscription_id: WebhookSubscriptionId,
    pub position: i64,
    pub kind: String,
    pub record_id: i64,
    pub action: String,
    pub version: Option<i64>,
    pub occurred_at: NaiveDateTime,
    pub status: String,
    pub attempts: i32,
    pub next_attempt_at: NaiveDateTime,
    pub lease_until: Option<NaiveDateTime>,
    pub last_attempt_at: Option<NaiveDateTime>,
    pub last_status_code: Option<i32>,
    pub last_error: Option<String>,
    pub response_excerpt: Option<String>,
    pub created_at: NaiveDateTime,
    pub delivered_at: Option<NaiveDateTime>,
}

#[derive(Debug, Clone, Insertable)]
#[diesel(table_name = webhook_deliveries, treat_none_as_null = true)]
struct NewDelivery {
    subscription_id: WebhookSubscriptionId,
    position: i64,
    kind: String,
    record_id: i64,
    action: String,
    version: Option<i64>,
    occurred_at: NaiveDateTime,
    status: &'static str,
    attempts: i32,
    next_attempt_at: NaiveDateTime,
    created_at: NaiveDateTime,
}

/// Whether the feed has entries the fan-out has not reached (a read, before taking its lock).
pub fn fan_out_behind(conn: &mut AnyConnection) -> Result<bool, StoreError> {
    let mark: i64 = webhook_fanout::table
        .select(webhook_fanout::last_position)
        .first(conn)?;
    Ok(crate::changes::bounds(conn)?.head > mark)
}

/// Whether any delivery is due and free to claim (a read, before a claiming write).
pub fn has_due(conn: &mut AnyConnection, now: NaiveDateTime) -> Result<bool, StoreError> {
    Ok(diesel::select(diesel::dsl::exists(
        webhook_deliveries::table
            .filter(webhook_deliveries::status.eq("pending"))
            .filter(webhook_deliveries::next_attempt_at.le(now))
            .filter(
                webhook_deliveries::lease_until
                    .is_null()
                    .or(webhook_deliveries::lease_until.lt(now)),
            ),
    ))
    .get_result(conn)?)
}

/// Turns up to `batch` sequenced feed entries past the fan-out mark into deliveries, one per
/// enabled subscription that `wants` the entry, and moves the mark; to run in its own write
/// transaction after sequencing. The mark's row is locked first, so with several instances each
/// entry is fanned out once. Returns how many deliveries were made.
pub fn fan_out(
    conn: &mut AnyConnection,
    batch: i64,
    wants: impl Fn(&SubscriptionRow, &ChangeRow) -> bool,
) -> Result<usize, StoreError> {
    let mark: i64 = match conn {
        AnyConnection::Sqlite(_) => webhook_fanout::table
            .select(webhook_fanout::last_position)
            .first(conn)?,
        AnyConnection::Pg(pg) => webhook_fanout::table
            .select(webhook_fanout::last_position)
            .for_update()
            .first(pg)?,
    };
    let entries: Vec<ChangeRow> = changes::table
        .filter(changes::position.gt(mark))
        .order(changes::position)
        .limit(batch)
        .select(ChangeRow::as_select())
        .load(conn)?;
    let Some(last) = entries.last().and_then(|e| e.position) else {
        return Ok(0);
    };
    let subscriptions: Vec<SubscriptionRow> = webhook_subscriptions::table
        .filter(webhook_subscriptions::archived_at.is_null())
        .filter(webhook_subscriptions::enabled.eq(true))
        .select(SubscriptionRow::as_select())
        .load(conn)?;
    let now = now_utc();
    let mut made = Vec::new();
    for entry in &entries {
        for subscription in subscriptions.iter().filter(|s| wants(s, entry)) {
            made.push(NewDelivery {
                subscription_id: subscription.id,
                position: entry.position.unwrap_or_default(),
                kind: entry.kind.clone(),
                record_id: entry.record_id,
                action: entry.action.clone(),
                version: entry.version,
                occurred_at: entry.occurred_at,
                status: "pending",
                attempts: 0,
                next_attempt_at: now,
                created_at: now,
            });
        }
    }
    // 11 columns a row: 500 rows stay under both backends' limits on bound values.
    for chunk in made.chunks(500) {
        crate::per_backend!(conn, |c| diesel::insert_into(webhook_deliveries::table)
            .values(chunk)
            .execute(c))?;
    }
    diesel::update(webhook_fanout::table)
        .set(webhook_fanout::last_position.eq(last))
        .execute(conn)?;
    Ok(made.len())
}

/// Takes up to `limit` pending deliveries that are due and not leased, for `lease_until`: each is
/// counted as an attempt and left alone by other instances until then (on PostgreSQL rows another
/// instance is claiming are skipped, not waited for). Only deliveries of enabled subscriptions.
pub fn claim_due(
    conn: &mut AnyConnection,
    now: NaiveDateTime,
    lease_until: NaiveDateTime,
    limit: i64,
) -> Result<Vec<DeliveryRow>, StoreError> {
    let enabled = webhook_subscriptions::table
        .filter(webhook_subscriptions::enabled.eq(true))
        .filter(webhook_subscriptions::archived_at.is_null())
        .select(webhook_subscriptions::id);
    let due = webhook_deliveries::table
        .filter(webhook_deliveries::status.eq("pending"))
        .filter(webhook_deliveries::next_attempt_at.le(now))
        .filter(
            webhook_deliveries::lease_until
                .is_null()
                .or(webhook_deliveries::lease_until.lt(now)),
        )
        .filter(webhook_deliveries::subscription_id.eq_any(enabled))
        .order(webhook_deliveries::id)
        .limit(limit)
        .select(webhook_deliveries::id);
    let ids: Vec<WebhookDeliveryId> = match conn {
        AnyConnection::Sqlite(_) => due.load(conn)?,
        AnyConnection::Pg(pg) => due.for_update().skip_locked().load(pg)?,
    };
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    diesel::update(webhook_deliveries::table.filter(webhook_deliveries::id.eq_any(&ids)))
        .set((
            webhook_deliveries::lease_until.eq(lease_until),
            webhook_deliveries::attempts.eq(webhook_deliveries::attempts + 1),
            webhook_deliveries::last_attempt_at.eq(now),
        ))
        .execute(conn)?;
    Ok(webhook_deliveries::table
        .filter(webhook_deliveries::id.eq_any(&ids))
        .order(webhook_deliveries::id)
        .select(DeliveryRow::as_select())
        .load(conn)?)
}

/// How one attempt ended.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AttemptResult {
    pub status_code: Option<i32>,
    pub error: Option<String>,
    pub excerpt: Option<String>,
    /// `delivered`, `pending` (to try again at `next_attempt_at`) or `dead`.
    pub status: &'static str,
    pub next_attempt_at: NaiveDateTime,
    pub at: NaiveDateTime,
}

pub fn finish_attempt(
    conn: &mut AnyConnection,
    id: WebhookDeliveryId,
    result: &AttemptResult,
) -> Result<(), StoreError> {
    let delivered_at = (result.status == "delivered").then_some(result.at);
    diesel::update(webhook_deliveries::table.find(id))
        .set((
            webhook_deliveries::status.eq(result.status),
            webhook_deliveries::lease_until.eq(None::<NaiveDateTime>),
            webhook_deliveries::last_status_code.eq(result.status_code),
            webhook_deliveries::last_error.eq(result.error.as_deref()),
            webhook_deliveries::response_excerpt.eq(result.excerpt.as_deref()),
            webhook_deliveries::next_attempt_at.eq(result.next_attempt_at),
            webhook_deliveries::delivered_at.eq(delivered_at),
        ))
        .execute(conn)?;
    Ok(())
}

/// A subscription's deliveries, newest first, and how many there are (`status`: only those).
pub fn deliveries(
    conn: &mut AnyConnection,
    subscription: WebhookSubscriptionId,
    status: Option<&str>,
    limit: i64,
    offset: i64,
) -> Result<(Vec<DeliveryRow>, i64), StoreError> {
    let matching = || {
        let mut query = webhook_deliveries::table
            .filter(webhook_deliveries::subscription_id.eq(subscription))
            .into_boxed();
        if let Some(status) = status {
            query = query.filter(webhook_deliveries::status.eq(status.to_owned()));
        }
        query
    };
    let total = matching().count().get_result(conn)?;
    let rows = matching()
        .order(webhook_deliveries::id.desc())
        .limit(limit)
        .offset(offset)
        .select(DeliveryRow::as_select())
        .load(conn)?;
    Ok((rows, total))
}

pub fn find_delivery(
    conn: &mut AnyConnection,
    subscription: WebhookSubscriptionId,
    id: WebhookDeliveryId,
) -> Result<DeliveryRow, StoreError> {
    Ok(webhook_deliveries::table
        .find(id)
        .filter(webhook_deliveries::subscription_id.eq(subscription))
        .select(DeliveryRow::as_select())
        .first(conn)?)
}

/// Puts a delivery back in line now, whatever became of it (a manual redelivery): the next
/// attempt carries the same message id.
pub fn redeliver(
    conn: &mut AnyConnection,
    id: WebhookDeliveryId,
    now: NaiveDateTime,
) -> Result<(), StoreError> {
    diesel::update(webhook_deliveries::table.find(id))
        .set((
            webhook_deliveries::status.eq("pending"),
            webhook_deliveries::next_attempt_at.eq(now),
            webhook_deliveries::lease_until.eq(None::<NaiveDateTime>),
            webhook_deliveries::created_at.eq(now),
        ))
        .execute(conn)?;
    Ok(())
}

/// Deliveries waiting to be made, and the age of the oldest (the operators' gauges).
pub fn pending(conn: &mut AnyConnection) -> Result<(i64, Option<NaiveDateTime>), StoreError> {
    let waiting = || webhook_deliveries::table.filter(webhook_deliveries::status.eq("pending"));
    let count = waiting().count().get_result(conn)?;
    let oldest = waiting()
        .select(diesel::dsl::min(webhook_deliveries::occurred_at))
        .first(conn)?;
    Ok((count, oldest))
}
