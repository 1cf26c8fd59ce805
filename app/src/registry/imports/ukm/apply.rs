//! Applying a checked UKM file: owners first, then the businesses, then one audit event each.

use std::collections::{HashMap, HashSet};

use klinik_persistence::persons::{self, PersonFields};
use klinik_persistence::ukm::{self as store, UkmFields};

use super::{COLUMNS, OwnerPlan, Work};
use crate::prelude::*;
use crate::registry::imports::cell_changes;

/// Applies a checked plan inside the caller's transaction, auditing every record it touches.
/// New people and new UKM go in with multi-row inserts: a city's file is tens of thousands of rows.
pub(super) fn apply(conn: &mut AnyConnection, ctx: &Ctx, work: Vec<Work>) -> Result<(), Error> {
    enum Owner {
        Stored(PersonId),
        New(usize),
    }
    let mut new_people: Vec<PersonFields> = Vec::new();
    let mut new_by_hash: HashMap<String, usize> = HashMap::new();
    let mut updated_people: HashSet<PersonId> = HashSet::new();
    let mut owners = Vec::with_capacity(work.len());
    for item in &work {
        owners.push(match &item.owner {
            OwnerPlan::Existing { id, update } => {
                if let Some(update) = update
                    && updated_people.insert(*id)
                {
                    persons::update(conn, *id, update.clone())?;
                }
                Owner::Stored(*id)
            }
            OwnerPlan::New { fields, nik_hash } => {
                match nik_hash.as_ref().and_then(|h| new_by_hash.get(h)) {
                    Some(index) => Owner::New(*index),
                    None => {
                        if let Some(hash) = nik_hash {
                            new_by_hash.insert(hash.clone(), new_people.len());
                        }
                        new_people.push(fields.clone());
                        Owner::New(new_people.len() - 1)
                    }
                }
            }
        });
    }
    let new_ids = persons::insert_many(conn, &new_people)?;
    let mut work = work;
    let mut creates = Vec::new();
    let mut ids = vec![UkmId(0); work.len()];
    for (index, (item, owner)) in work.iter_mut().zip(&owners).enumerate() {
        item.fields.owner_id = match owner {
            Owner::Stored(id) => *id,
            Owner::New(i) => new_ids[*i],
        };
        match item.existing {
            None => creates.push(index),
            Some((id, version)) => {
                store::update(conn, id, version, item.fields.clone())?;
                ids[index] = id;
            }
        }
    }
    let fields: Vec<UkmFields> = creates.iter().map(|i| work[*i].fields.clone()).collect();
    for (index, id) in creates.iter().zip(store::insert_many(conn, &fields)?) {
        ids[*index] = id;
    }
    let events = work
        .iter()
        .zip(ids)
        .map(|(item, id)| {
            let action = if item.existing.is_some() {
                "update"
            } else {
                "create"
            };
            let changes = cell_changes(COLUMNS, item.before.as_deref(), &item.after);
            (action, id.to_string(), changes)
        })
        .collect();
    versioned::committed_many(conn, ctx, "ukm", events)?;
    Ok(())
}
