//! The cooperative (koperasi) and its closed classifications (docs/domain.md, "Cooperatives").

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use std::fmt;
use std::str::FromStr;

use crate::text;
use crate::{Violation, Violations};

/// Declares a closed classification stored as text: the enum, its `ALL` list, `as_str` and `FromStr`.
/// Serde and the contract use the snake_case form of each variant's name, which must equal its text
/// (a unit test checks every enum); a spelling that is not snake_case needs a hand-written enum.
macro_rules! text_enum {
    ($(#[$meta:meta])* $name:ident { $($(#[$vmeta:meta])* $variant:ident => $text:literal),+ $(,)? }) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
        #[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
        #[serde(rename_all = "snake_case")]
        pub enum $name { $($(#[$vmeta])* $variant),+ }

        impl $name {
            pub const ALL: &'static [$name] = &[$($name::$variant),+];

            pub const fn as_str(self) -> &'static str {
                match self { $($name::$variant => $text),+ }
            }
        }

        impl crate::TextEnum for $name {
            fn as_str(self) -> &'static str {
                $name::as_str(self)
            }
        }

        impl FromStr for $name {
            type Err = UnknownValue;
            fn from_str(s: &str) -> Result<Self, Self::Err> {
                Self::ALL.iter().copied().find(|v| v.as_str() == s).ok_or(UnknownValue)
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(self.as_str())
            }
        }
    };
}
pub(crate) use text_enum;

/// A text that is not one of an enumeration's values.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("not one of the allowed values")]
pub struct UnknownValue;

text_enum!(
    /// Bentuk koperasi: `primer` (primary, members are persons) or `sekunder` (secondary, members are
    /// cooperatives).
    CooperativeForm { Primer => "primer", Sekunder => "sekunder" }
);

text_enum!(
    /// Jenis koperasi as counted by the ministry's ODS: `simpan_pinjam` (savings and loan), `konsumen`
    /// (consumer), `produsen` (producer), `pemasaran` (marketing), `jasa` (services).
    CooperativeType {
        SimpanPinjam => "simpan_pinjam",
        Konsumen => "konsumen",
        Produsen => "produsen",
        Pemasaran => "pemasaran",
        Jasa => "jasa",
    }
);

text_enum!(
    /// Pola pengelolaan: `konvensional` (conventional) or `syariah` (sharia).
    ManagementPattern { Konvensional => "konvensional", Syariah => "syariah" }
);

text_enum!(
    /// Wilayah keanggotaan, which decides who supervises the cooperative: `kota` (within Kota Bogor;
    /// supervised by the city office), `lintas_kabupaten_kota` (across regencies/cities of one
    /// province; the province), `lintas_provinsi` (across provinces; the ministry).
    MembershipArea {
        Kota => "kota",
        LintasKabupatenKota => "lintas_kabupaten_kota",
        LintasProvinsi => "lintas_provinsi",
    }
);

text_enum!(
    /// Position on the cooperative's board: `ketua` (chair), `sekretaris` (secretary), `bendahara`
    /// (treasurer), `pengawas` (supervisor), `manajer` (manager).
    BoardRole {
        Ketua => "ketua",
        Sekretaris => "sekretaris",
        Bendahara => "bendahara",
        Pengawas => "pengawas",
        Manajer => "manajer",
    }
);

/// Longest name or free-text line accepted, in characters.
pub const NAME_MAX_CHARS: usize = 200;

/// One board member as submitted. Personal data: never logged.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BoardMember {
    pub role: BoardRole,
    pub name: String,
    pub term_start: Option<NaiveDate>,
    pub term_end: Option<NaiveDate>,
}

/// Most board members one cooperative may list.
pub const BOARD_MAX_MEMBERS: usize = 50;

/// Checks a board as a whole: each name, each term's order, and the size of the list.
pub fn validate_board(members: &[BoardMember]) -> Result<(), Violations> {
    let mut violations = Violations::default();
    if members.len() > BOARD_MAX_MEMBERS {
        violations.push(Violation::new(
            "board_members",
            "too_many_items",
            msg!(
                "at most %{board_max_members} board members",
                board_max_members = BOARD_MAX_MEMBERS
            ),
        ));
    }
    for (i, member) in members.iter().enumerate() {
        violations.check(text::single_line(
            &format!("board_members[{i}].name"),
            &member.name,
            NAME_MAX_CHARS,
        ));
        if let (Some(start), Some(end)) = (member.term_start, member.term_end)
            && end < start
        {
            violations.push(Violation::new(
                format!("board_members[{i}].term_end"),
                "term_end_before_start",
                msg!("the term cannot end before it starts"),
            ));
        }
    }
    violations.into_result()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn member(start: Option<NaiveDate>, end: Option<NaiveDate>) -> BoardMember {
        BoardMember {
            role: BoardRole::Ketua,
            name: "Siti Aminah".into(),
            term_start: start,
            term_end: end,
        }
    }

    fn date(y: i32, m: u32, d: u32) -> Option<NaiveDate> {
        NaiveDate::from_ymd_opt(y, m, d)
    }

    #[test]
    fn every_enum_value_round_trips_through_its_text() {
        for t in CooperativeType::ALL {
            assert_eq!(t.as_str().parse::<CooperativeType>(), Ok(*t));
            assert_eq!(serde_json::to_value(t).unwrap(), t.as_str());
        }
        for r in BoardRole::ALL {
            assert_eq!(r.as_str().parse::<BoardRole>(), Ok(*r));
            assert_eq!(serde_json::to_value(r).unwrap(), r.as_str());
        }
        for v in CooperativeForm::ALL {
            assert_eq!(serde_json::to_value(v).unwrap(), v.as_str());
        }
        for v in ManagementPattern::ALL {
            assert_eq!(serde_json::to_value(v).unwrap(), v.as_str());
        }
        for v in MembershipArea::ALL {
            assert_eq!(serde_json::to_value(v).unwrap(), v.as_str());
        }
        for v in crate::activity_status::ActivityStatus::ALL {
            assert_eq!(serde_json::to_value(v).unwrap(), v.as_str());
        }
        assert_eq!("KONSUMEN".parse::<CooperativeType>(), Err(UnknownValue));
    }

    #[test]
    fn a_term_may_start_and_end_on_the_same_day_but_not_end_before_it_starts() {
        assert!(validate_board(&[member(date(2024, 1, 1), date(2024, 1, 1))]).is_ok());
        let err = validate_board(&[member(date(2024, 1, 2), date(2024, 1, 1))]).unwrap_err();
        assert_eq!(err.0[0].code, "term_end_before_start");
        assert_eq!(err.0[0].field, "board_members[0].term_end");
        assert!(validate_board(&[member(None, date(2024, 1, 1))]).is_ok());
    }

    #[test]
    fn a_board_has_at_most_fifty_members() {
        let ok = vec![member(None, None); BOARD_MAX_MEMBERS];
        assert!(validate_board(&ok).is_ok());
        let too_many = vec![member(None, None); BOARD_MAX_MEMBERS + 1];
        assert_eq!(
            validate_board(&too_many).unwrap_err().0[0].code,
            "too_many_items"
        );
    }
}
