//! What a UKM file refers to that is already stored, loaded in a few queries for the whole file.

use std::collections::{HashMap, HashSet};

use klinik_domain::nik;
use klinik_persistence::cooperatives;
use klinik_persistence::persons::{self, PersonRow};
use klinik_persistence::ukm::{self as store, UkmRow};

use super::{COOPERATIVE_ID, NIB, OWNER_NIK};
use crate::personal_data::{ClearPerson, DataKey};
use crate::prelude::*;

/// A stored person: the row (id, sealed NIK and its hash) and their details opened.
#[derive(Debug, Clone)]
pub(super) struct KnownPerson {
    pub(super) row: PersonRow,
    pub(super) clear: ClearPerson,
}

/// Everything the file refers to that is already stored, loaded in a few queries.
pub(super) struct Known {
    pub(super) by_nib: HashMap<String, UkmRow>,
    pub(super) person_by_hash: HashMap<String, KnownPerson>,
    pub(super) person_by_id: HashMap<PersonId, KnownPerson>,
    pub(super) by_owner_and_name: HashMap<(PersonId, String), UkmRow>,
    pub(super) cooperatives: HashSet<CooperativeId>,
}

pub(super) fn load_known(
    conn: &mut AnyConnection,
    key: &DataKey,
    rows: &[Vec<Option<String>>],
) -> Result<Known, Error> {
    let present = |row: &Vec<Option<String>>, c: usize| {
        row[c]
            .as_deref()
            .filter(|v| !v.is_empty())
            .map(str::to_owned)
    };
    let nibs: Vec<String> = rows.iter().filter_map(|r| present(r, NIB)).collect();
    let hashes: Vec<String> = rows
        .iter()
        .filter_map(|r| present(r, OWNER_NIK))
        .filter(|n| nik::validate("", n).is_ok())
        .flat_map(|n| key.search_hashes(&n))
        .collect();
    let cooperative_ids: Vec<CooperativeId> = rows
        .iter()
        .filter_map(|r| present(r, COOPERATIVE_ID)?.parse().ok().map(CooperativeId))
        .collect();
    let by_nib_rows = store::find_by_nibs(conn, &nibs)?;
    let people = persons::find_by_nik_hashes(conn, &hashes)?;
    let owner_ids: Vec<PersonId> = people.iter().map(|p| p.id).collect();
    let owned = store::find_by_owners(conn, &owner_ids)?;
    let mut person_ids: Vec<PersonId> = by_nib_rows.iter().map(|r| r.owner_id).collect();
    person_ids.retain(|id| !owner_ids.contains(id));
    let open = |row: PersonRow| -> Result<KnownPerson, Error> {
        let clear = key.open_person(&row)?;
        Ok(KnownPerson { row, clear })
    };
    let mut person_by_id = HashMap::new();
    for row in persons::find_all(conn, &person_ids)? {
        person_by_id.insert(row.id, open(row)?);
    }
    let mut person_by_hash = HashMap::new();
    for row in people {
        let person = open(row)?;
        // By the current key's hash, which the file's rows are matched with, even for a person
        // whose stored hash is still a previous key's (during a key rotation).
        if let Some(nik) = &person.clear.nik {
            person_by_hash.insert(key.search_hash(nik), person.clone());
        }
        person_by_id.insert(person.row.id, person);
    }
    Ok(Known {
        by_nib: by_nib_rows
            .into_iter()
            .filter_map(|r| Some((r.nib.clone()?, r)))
            .collect(),
        person_by_hash,
        person_by_id,
        by_owner_and_name: owned
            .into_iter()
            .map(|r| ((r.owner_id, r.business_name.clone()), r))
            .collect(),
        cooperatives: cooperatives::existing_ids(conn, &cooperative_ids)?
            .into_iter()
            .collect(),
    })
}
