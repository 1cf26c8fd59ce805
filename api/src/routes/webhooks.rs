//! Webhook subscriptions for integration clients, managed by admins:
//! `/api/v1/webhook-subscriptions`. What is posted is in the contract's `webhooks`.

use actix_web::http::header::{CACHE_CONTROL, HeaderValue};
use klinik_app::webhooks::{
    self, CreateSubscription, Delivery, DeliveryQuery, PatchSubscription, Subscription,
    SubscriptionWithSecret,
};

use crate::routes::prelude::*;

pub fn configure(config: &mut ServiceConfig) {
    config
        .service(create_webhook_subscription)
        .service(list_webhook_subscriptions)
        .service(get_webhook_subscription)
        .service(update_webhook_subscription)
        .service(archive_webhook_subscription)
        .service(list_webhook_deliveries)
        .service(redeliver_webhook_delivery);
}

/// Subscribe an integration client to changes.
///
/// Every change of the given kinds that the client's scopes cover is posted to the URL as JSON,
/// signed per the Standard Webhooks specification (`webhook-id`, `webhook-timestamp`,
/// `webhook-signature`: `v1,` and the base64 HMAC-SHA256 of `id.timestamp.body` keyed with the
/// secret's bytes); the contract's `webhooks` section shows the message. At least once: a repeat
/// carries the same `webhook-id`. A failure is tried again after a wait that doubles (from
/// `KLINIK_WEBHOOK_RETRY_SECONDS`, with jitter, up to 6 hours) until the delivery is
/// `KLINIK_WEBHOOK_MAX_AGE_HOURS` old; `KLINIK_WEBHOOK_DISABLE_AFTER` failures in a row turn the
/// subscription off (audited). Answers with the subscription and its secret, shown this once.
#[utoipa::path(
    tag = "webhooks",
    request_body = CreateSubscription,
    responses(
        (status = 201, description = "Subscribed; the secret is in the body, this once.", body = SubscriptionWithSecret,
            headers(("Location" = String, description = "URL of the subscription."), ("ETag" = String, description = "Its version."))),
        (status = 400, response = responses::BadRequest),
    ),
)]
#[post("/webhook-subscriptions")]
pub async fn create_webhook_subscription(
    allowed: Allowed,
    body: JsonBody<CreateSubscription>,
) -> Reply {
    let mut response = created(webhooks::create(&allowed, body.value).await?)?;
    response
        .headers_mut()
        .insert(CACHE_CONTROL, HeaderValue::from_static("no-store"));
    Ok(response)
}

/// List webhook subscriptions.
#[utoipa::path(
    tag = "webhooks",
    params(PageQuery),
    responses(
        (status = 200, description = "One page of subscriptions.", body = Page<Subscription>),
        (status = 400, response = responses::BadRequest),
    ),
)]
#[get("/webhook-subscriptions")]
pub async fn list_webhook_subscriptions(allowed: Allowed, query: QueryParams<PageQuery>) -> Reply {
    ok(webhooks::list(&allowed, query.0).await?)
}

/// Read a webhook subscription.
///
/// Never shows the secret. `enabled` false with a `disabled_reason` means a run of failed
/// attempts turned it off.
#[utoipa::path(
    tag = "webhooks",
    params(("id" = i64, Path, description = "The subscription's id.", minimum = 1)),
    responses(
        (status = 200, description = "The subscription.", body = Subscription, headers(("ETag" = String, description = "Its version."))),
    ),
)]
#[get("/webhook-subscriptions/{id}")]
pub async fn get_webhook_subscription(
    allowed: Allowed,
    id: web::Path<WebhookSubscriptionId>,
) -> Reply {
    tagged(webhooks::get(&allowed, *id).await?)
}

/// Change a webhook subscription.
///
/// URL, kinds, or `enabled`: turning it on again resets its failure streak, and its waiting
/// deliveries go out.
#[utoipa::path(
    tag = "webhooks",
    request_body = PatchSubscription,
    params(
        ("id" = i64, Path, description = "The subscription's id.", minimum = 1),
        ("If-Match" = Option<String>, Header, description = "The ETag last read; refused with 412 if the subscription has changed since."),
    ),
    responses(
        (status = 200, description = "The changed subscription.", body = Subscription, headers(("ETag" = String, description = "Its new version."))),
        (status = 400, response = responses::BadRequest),
    ),
)]
#[patch("/webhook-subscriptions/{id}")]
pub async fn update_webhook_subscription(
    allowed: Allowed,
    id: web::Path<WebhookSubscriptionId>,
    if_match: Precondition,
    body: JsonBody<PatchSubscription>,
) -> Reply {
    tagged(webhooks::update(&allowed, *id, if_match.0, body.value).await?)
}

/// End a webhook subscription.
///
/// Nothing more is posted; its delivery log is kept.
#[utoipa::path(
    tag = "webhooks",
    params(
        ("id" = i64, Path, description = "The subscription's id.", minimum = 1),
        ("If-Match" = Option<String>, Header, description = "The ETag last read; refused with 412 if the subscription has changed since."),
    ),
    responses(
        (status = 204, description = "Ended."),
    ),
)]
#[delete("/webhook-subscriptions/{id}")]
pub async fn archive_webhook_subscription(
    allowed: Allowed,
    id: web::Path<WebhookSubscriptionId>,
    if_match: Precondition,
) -> Reply {
    webhooks::archive(&allowed, *id, if_match.0).await?;
    no_content()
}

/// A subscription's delivery log.
///
/// Newest first: each change on its way, its attempts, the receiver's last status and the start
/// of its answer (512 characters at most), or why the last attempt failed.
#[utoipa::path(
    tag = "webhooks",
    params(("id" = i64, Path, description = "The subscription's id.", minimum = 1), DeliveryQuery),
    responses(
        (status = 200, description = "One page of deliveries.", body = Page<Delivery>),
        (status = 400, response = responses::BadRequest),
    ),
)]
#[get("/webhook-subscriptions/{id}/deliveries")]
pub async fn list_webhook_deliveries(
    allowed: Allowed,
    id: web::Path<WebhookSubscriptionId>,
    query: QueryParams<DeliveryQuery>,
) -> Reply {
    ok(webhooks::deliveries(&allowed, *id, query.0).await?)
}

/// Send a delivery again.
///
/// Whatever became of it (delivered, dead, or waiting), it goes out again soon with the same
/// `webhook-id`; its maximum age counts from now. Audited.
#[utoipa::path(
    tag = "webhooks",
    params(
        ("id" = i64, Path, description = "The subscription's id.", minimum = 1),
        ("delivery_id" = i64, Path, description = "The delivery's id.", minimum = 1),
    ),
    responses(
        (status = 200, description = "The delivery, pending again.", body = Delivery),
    ),
)]
#[post("/webhook-subscriptions/{id}/deliveries/{delivery_id}/redeliver")]
pub async fn redeliver_webhook_delivery(
    allowed: Allowed,
    path: web::Path<(WebhookSubscriptionId, WebhookDeliveryId)>,
) -> Reply {
    let (id, delivery) = path.into_inner();
    ok(webhooks::redeliver(&allowed, id, delivery).await?)
}
