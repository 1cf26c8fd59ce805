//! A case's history: its transitions, oldest first.

use klinik_persistence::clinic::cases::{self as store};
use serde::Deserialize;
use utoipa::IntoParams;

use super::access::{CaseScope, visible_case};
use super::model::Transition;
use crate::prelude::*;

/// Page parameters of a case's history.
#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct HistoryQuery {
    /// Page number, from 1.
    #[param(minimum = 1, maximum = 100000)]
    pub page: Option<u32>,
    /// Records per page (default 20).
    #[param(minimum = 1, maximum = 100)]
    pub page_size: Option<u32>,
}

/// Every transition of a case, oldest first.
pub async fn history(
    ctx: &Ctx,
    id: CaseId,
    query: HistoryQuery,
) -> Result<Page<Transition>, Error> {
    let page = PageRequest::new(query.page, query.page_size)?;
    let rows = ctx
        .read(move |conn, ctx| {
            let scope = CaseScope::of(conn, &ctx.caller)?;
            visible_case(conn, &scope, id)?;
            Ok::<_, Error>(store::transitions_of(conn, id)?)
        })
        .await?;
    let (rows, total) = page.slice(rows);
    let items = rows.into_iter().map(Transition::from_row).collect();
    Ok(page.wrap_capped(items, total))
}
