//! What the programme indicators read: the clinic's rows of a programme (or of all), and the
//! registries' counts grouped by kelurahan. The clinic's tables hold hundreds of rows a year, so
//! they are read whole and counted in the domain; the registries are counted by the database.

use chrono::NaiveDate;
use diesel::dsl::count_star;
use diesel::prelude::*;

use super::cases::CaseRow;
use super::diagnoses::FindingRow;
use super::evaluations::OutcomeRow;
use super::recommendations::RecommendationRow;
use klinik_domain::activity_status::ActivityStatus;
use klinik_domain::clinic::DiagnosisStatus;
use klinik_domain::clinic::health::Predicate;
use klinik_domain::ukm::UkmStatus;

use crate::ids::{CaseId, CooperativeId, DiagnosisId, ProgrammeId, UkmId};
use crate::schema::{
    case_outcomes, cases, cooperatives, diagnoses, findings, recommendations, ukm,
    ukm_yearly_figures,
};
use crate::{AnyConnection, Parsed, ParsedOpt, StoreError};

diesel::allow_columns_to_appear_in_same_group_by_clause!(
    ukm::kelurahan_code,
    ukm_yearly_figures::year
);

/// What the indicators read of a final diagnosis (not its stored assessment inputs and result).
#[derive(Debug, Clone, PartialEq, Eq, Queryable, Selectable)]
#[diesel(table_name = diagnoses)]
pub struct FinalDiagnosis {
    pub id: DiagnosisId,
    pub case_id: CaseId,
    pub supersedes_id: Option<DiagnosisId>,
    pub diagnosed_on: NaiveDate,
    #[diesel(deserialize_as = ParsedOpt<Predicate>)]
    pub assessment_predicate: Option<Predicate>,
}

/// The clinic's rows in scope.
#[derive(Debug, Default)]
pub struct ClinicRows {
    pub cases: Vec<CaseRow>,
    /// Final diagnoses, in case then sequence order.
    pub finals: Vec<FinalDiagnosis>,
    /// Findings of final diagnoses.
    pub findings: Vec<FindingRow>,
    pub recommendations: Vec<RecommendationRow>,
    pub outcomes: Vec<OutcomeRow>,
    /// `(id, kelurahan_code)` of the cooperatives and of the UKM that have cases.
    pub cooperative_places: Vec<(CooperativeId, String)>,
    pub ukm_places: Vec<(UkmId, String)>,
}

/// Reads the clinic's rows of one programme, or of every programme.
pub fn clinic_rows(
    conn: &mut AnyConnection,
    programme_id: Option<ProgrammeId>,
) -> Result<ClinicRows, StoreError> {
    let mut case_query = cases::table.into_boxed();
    if let Some(id) = programme_id {
        case_query = case_query.filter(cases::programme_id.eq(id));
    }
    let case_rows: Vec<CaseRow> = case_query
        .order(cases::id)
        .select(CaseRow::as_select())
        .load(conn)?;
    let in_scope = |id: CaseId| case_rows.binary_search_by_key(&id, |c| c.id).is_ok();
    let finals: Vec<FinalDiagnosis> = diagnoses::table
        .filter(diagnoses::status.eq(DiagnosisStatus::Final.as_str()))
        .order((diagnoses::case_id, diagnoses::sequence))
        .select(FinalDiagnosis::as_select())
        .load(conn)?
        .into_iter()
        .filter(|d: &FinalDiagnosis| in_scope(d.case_id))
        .collect();
    let final_ids: std::collections::HashSet<DiagnosisId> = finals.iter().map(|d| d.id).collect();
    let finding_rows: Vec<FindingRow> = findings::table
        .inner_join(diagnoses::table)
        .filter(diagnoses::status.eq(DiagnosisStatus::Final.as_str()))
        .order((findings::diagnosis_id, findings::position))
        .select(FindingRow::as_select())
        .load(conn)?
        .into_iter()
        .filter(|f: &FindingRow| final_ids.contains(&f.diagnosis_id))
        .collect();
    let recommendation_rows = recommendations::table
        .order(recommendations::id)
        .select(RecommendationRow::as_select())
        .load(conn)?
        .into_iter()
        .filter(|r: &RecommendationRow| in_scope(r.case_id))
        .collect();
    let outcomes = case_outcomes::table
        .select(OutcomeRow::as_select())
        .load(conn)?
        .into_iter()
        .filter(|o: &OutcomeRow| in_scope(o.case_id))
        .collect();
    let cooperative_places = cooperatives::table
        .filter(
            cooperatives::id.eq_any(
                cases::table
                    .select(cases::cooperative_id.assume_not_null())
                    .filter(cases::cooperative_id.is_not_null()),
            ),
        )
        .select((cooperatives::id, cooperatives::kelurahan_code))
        .load(conn)?;
    let ukm_places = ukm::table
        .filter(
            ukm::id.eq_any(
                cases::table
                    .select(cases::ukm_id.assume_not_null())
                    .filter(cases::ukm_id.is_not_null()),
            ),
        )
        .select((ukm::id, ukm::kelurahan_code))
        .load(conn)?;
    Ok(ClinicRows {
        cases: case_rows,
        finals,
        findings: finding_rows,
        recommendations: recommendation_rows,
        outcomes,
        cooperative_places,
        ukm_places,
    })
}

/// A registered cooperative: id, kelurahan, legal entity date, status now.
pub type CooperativePlace = (CooperativeId, String, Option<NaiveDate>, ActivityStatus);

/// Every registered (not archived) cooperative.
pub fn cooperatives(conn: &mut AnyConnection) -> Result<Vec<CooperativePlace>, StoreError> {
    Ok(cooperatives::table
        .filter(cooperatives::archived_at.is_null())
        .select((
            cooperatives::id,
            cooperatives::kelurahan_code,
            cooperatives::legal_entity_date,
            cooperatives::status,
        ))
        .load::<(
            CooperativeId,
            String,
            Option<NaiveDate>,
            Parsed<ActivityStatus>,
        )>(conn)?
        .into_iter()
        .map(|(id, kelurahan, since, status)| (id, kelurahan, since, status.0))
        .collect())
}

/// Registered UKM counted by kelurahan and status (about two hundred rows for the city).
pub fn ukm_by_status(
    conn: &mut AnyConnection,
) -> Result<Vec<(String, UkmStatus, i64)>, StoreError> {
    Ok(ukm::table
        .filter(ukm::archived_at.is_null())
        .group_by((ukm::kelurahan_code, ukm::status))
        .select((ukm::kelurahan_code, ukm::status, count_star()))
        .load::<(String, Parsed<UkmStatus>, i64)>(conn)?
        .into_iter()
        .map(|(kelurahan, status, count)| (kelurahan, status.0, count))
        .collect())
}

/// Registered UKM that started in `from_year` or later, counted by kelurahan and start year: with
/// [`ukm_by_status`], how many existed at the end of each year of a range.
pub fn ukm_started_since(
    conn: &mut AnyConnection,
    from_year: i32,
) -> Result<Vec<(String, Option<i32>, i64)>, StoreError> {
    Ok(ukm::table
        .filter(ukm::archived_at.is_null())
        .filter(ukm::start_year.ge(from_year))
        .group_by((ukm::kelurahan_code, ukm::start_year))
        .select((ukm::kelurahan_code, ukm::start_year, count_star()))
        .load(conn)?)
}

/// UKM that reported a turnover above zero, counted by kelurahan and year, for `years`.
pub fn ukm_reporting(
    conn: &mut AnyConnection,
    from_year: i32,
    to_year: i32,
) -> Result<Vec<(String, i32, i64)>, StoreError> {
    Ok(ukm_yearly_figures::table
        .inner_join(ukm::table)
        .filter(ukm::archived_at.is_null())
        .filter(ukm_yearly_figures::turnover.gt(0))
        .filter(ukm_yearly_figures::year.between(from_year, to_year))
        .group_by((ukm::kelurahan_code, ukm_yearly_figures::year))
        .select((ukm::kelurahan_code, ukm_yearly_figures::year, count_star()))
        .load(conn)?)
}

/// Every programme that is not archived, by year.
pub fn programmes(
    conn: &mut AnyConnection,
) -> Result<Vec<super::programmes::ProgrammeRow>, StoreError> {
    use crate::schema::programmes;
    Ok(programmes::table
        .filter(programmes::archived_at.is_null())
        .order((programmes::year, programmes::id))
        .select(super::programmes::ProgrammeRow::as_select())
        .load(conn)?)
}
