//! Evidence documents: what a clinic keeps on paper — a cooperative's deed, RAT minutes, the
//! team's worksheets, a bank's disbursement letter — attached to the record they prove
//! (docs/domain.md, "Evidence documents"). Which kinds each record takes, which file types are
//! accepted, and who may read a document that holds personal data.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

use crate::accounts::Role;
use crate::cooperative::{UnknownValue, text_enum};
use crate::text::single_line;
use crate::{Violation, Violations};

/// Longest title, in characters.
pub const TITLE_MAX_CHARS: usize = 200;
/// Longest kept file name, in characters (longer ones are cut).
pub const FILE_NAME_MAX_CHARS: usize = 120;

text_enum!(
    /// The kind of record a document belongs to.
    DocumentOwner {
        Cooperative => "cooperative",
        AnnualReport => "annual_report",
        Ukm => "ukm",
        Diagnosis => "diagnosis",
        Activity => "activity",
        Recommendation => "recommendation",
        Evaluation => "evaluation",
        DissolutionProposal => "dissolution_proposal",
    }
);

text_enum!(
    /// What a document is: `akta_pendirian` (deed of establishment), `akta_perubahan` (deed of
    /// amendment), `sk_badan_hukum` (legal-entity decree), `izin_usaha` (business licence, NIB),
    /// `notulen_rat` (minutes of the members' annual meeting), `laporan_keuangan` (financial
    /// statements), `daftar_hadir` (attendance list), `foto_kegiatan` (photo of an activity),
    /// `foto_usaha` (photo of the business), `lembar_kerja` (the team's worksheet),
    /// `laporan_kegiatan` (activity report), `surat_persetujuan` (approval letter),
    /// `bukti_pencairan` (proof of disbursement), `berita_acara` (official minutes),
    /// `surat_usulan` (letter of proposal), `other`.
    DocumentKind {
        AktaPendirian => "akta_pendirian",
        AktaPerubahan => "akta_perubahan",
        SkBadanHukum => "sk_badan_hukum",
        IzinUsaha => "izin_usaha",
        NotulenRat => "notulen_rat",
        LaporanKeuangan => "laporan_keuangan",
        DaftarHadir => "daftar_hadir",
        FotoKegiatan => "foto_kegiatan",
        FotoUsaha => "foto_usaha",
        LembarKerja => "lembar_kerja",
        LaporanKegiatan => "laporan_kegiatan",
        SuratPersetujuan => "surat_persetujuan",
        BuktiPencairan => "bukti_pencairan",
        BeritaAcara => "berita_acara",
        SuratUsulan => "surat_usulan",
        Other => "other",
    }
);

impl DocumentOwner {
    /// The kinds this record takes; `other` always.
    pub fn kinds(self) -> &'static [DocumentKind] {
        use DocumentKind::*;
        match self {
            DocumentOwner::Cooperative => {
                &[AktaPendirian, AktaPerubahan, SkBadanHukum, IzinUsaha, Other]
            }
            DocumentOwner::AnnualReport => &[NotulenRat, LaporanKeuangan, DaftarHadir, Other],
            DocumentOwner::Ukm => &[IzinUsaha, FotoUsaha, LaporanKeuangan, Other],
            DocumentOwner::Diagnosis => &[LembarKerja, DaftarHadir, Other],
            DocumentOwner::Activity => &[DaftarHadir, FotoKegiatan, LaporanKegiatan, Other],
            DocumentOwner::Recommendation => &[SuratPersetujuan, BuktiPencairan, Other],
            DocumentOwner::Evaluation => &[LembarKerja, LaporanKeuangan, Other],
            DocumentOwner::DissolutionProposal => &[BeritaAcara, SuratUsulan, Other],
        }
    }

    /// Whether the record is the clinic's (reached through a case, and so within an assessor's
    /// team scope) rather than a registry's.
    pub fn is_clinic(self) -> bool {
        !matches!(
            self,
            DocumentOwner::Cooperative | DocumentOwner::AnnualReport | DocumentOwner::Ukm
        )
    }
}

/// A file type the office accepts, decided from the file's content.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FileType {
    Pdf,
    Png,
    Jpeg,
    Webp,
    Xlsx,
    Docx,
    Odt,
    Ods,
}

impl FileType {
    pub const ALL: [FileType; 8] = [
        FileType::Pdf,
        FileType::Png,
        FileType::Jpeg,
        FileType::Webp,
        FileType::Xlsx,
        FileType::Docx,
        FileType::Odt,
        FileType::Ods,
    ];

    pub const fn media_type(self) -> &'static str {
        match self {
            FileType::Pdf => "application/pdf",
            FileType::Png => "image/png",
            FileType::Jpeg => "image/jpeg",
            FileType::Webp => "image/webp",
            FileType::Xlsx => "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            FileType::Docx => {
                "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
            }
            FileType::Odt => "application/vnd.oasis.opendocument.text",
            FileType::Ods => "application/vnd.oasis.opendocument.spreadsheet",
        }
    }

    pub const fn extension(self) -> &'static str {
        match self {
            FileType::Pdf => "pdf",
            FileType::Png => "png",
            FileType::Jpeg => "jpg",
            FileType::Webp => "webp",
            FileType::Xlsx => "xlsx",
            FileType::Docx => "docx",
            FileType::Odt => "odt",
            FileType::Ods => "ods",
        }
    }

    /// The accepted type with this media type; `None` for anything else (an executable, a plain
    /// ZIP, HTML, SVG …).
    pub fn from_media_type(media_type: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|t| t.media_type() == media_type)
    }
}

/// Who may read a document's bytes, once they may see its record: a document marked personal
/// only by admins and officers, and by assessors when it belongs to one of their teams' cases
/// (they reached it through that case); never by a viewer. Other documents, everyone who reads
/// the record.
pub fn may_download(role: Role, personal: bool, owner: DocumentOwner) -> bool {
    if !personal {
        return true;
    }
    match role {
        Role::Admin | Role::Officer => true,
        Role::Assessor => owner.is_clinic(),
        // Clients are not given documents (the operation table keeps them out).
        Role::Viewer | Role::Integration => false,
    }
}

/// Checks a document's descriptive fields: a kind the record takes and a one-line title.
pub fn validate(owner: DocumentOwner, kind: DocumentKind, title: &str) -> Result<(), Violations> {
    let mut violations = Violations::default();
    if !owner.kinds().contains(&kind) {
        violations.push(Violation::new(
            "kind",
            "kind_not_for_owner",
            msg!("is not a kind of document this record takes"),
        ));
    }
    violations.check(single_line("title", title, TITLE_MAX_CHARS));
    violations.into_result()
}

/// A file name safe to put in `Content-Disposition` and to show: the last path segment, without
/// control characters, quotes or backslashes, cut to [`FILE_NAME_MAX_CHARS`], ending in the
/// extension of its real type. Falls back to `document` when nothing usable is left.
pub fn safe_file_name(submitted: &str, file_type: FileType) -> String {
    let last = submitted.rsplit(['/', '\\']).next().unwrap_or_default();
    let cleaned: String = last
        .chars()
        .filter(|c| !c.is_control() && !matches!(c, '"' | '\\' | ';'))
        .collect();
    let stem = match cleaned.rsplit_once('.') {
        Some((stem, _)) => stem,
        None => cleaned.as_str(),
    };
    let stem = stem.trim().trim_start_matches('.');
    let extension = file_type.extension();
    let room = FILE_NAME_MAX_CHARS - extension.len() - 1;
    let stem: String = stem.chars().take(room).collect();
    let stem = if stem.trim().is_empty() {
        "document".to_owned()
    } else {
        stem.trim().to_owned()
    };
    format!("{stem}.{extension}")
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn every_owner_takes_other_and_spellings_round_trip() {
        for owner in DocumentOwner::ALL {
            assert!(owner.kinds().contains(&DocumentKind::Other), "{owner}");
            assert_eq!(owner.as_str().parse::<DocumentOwner>(), Ok(*owner));
            assert_eq!(serde_json::to_value(owner).unwrap(), owner.as_str());
        }
        for kind in DocumentKind::ALL {
            assert_eq!(kind.as_str().parse::<DocumentKind>(), Ok(*kind));
            assert_eq!(serde_json::to_value(kind).unwrap(), kind.as_str());
        }
    }

    #[test]
    fn every_kind_belongs_to_some_owner() {
        for kind in DocumentKind::ALL {
            assert!(
                DocumentOwner::ALL.iter().any(|o| o.kinds().contains(kind)),
                "{kind}"
            );
        }
    }

    #[test]
    fn a_kind_another_record_takes_is_refused_by_field() {
        let err = validate(
            DocumentOwner::Cooperative,
            DocumentKind::BuktiPencairan,
            "x",
        )
        .unwrap_err();
        assert_eq!(err.0[0].field, "kind");
        assert_eq!(err.0[0].code, "kind_not_for_owner");
        assert!(
            validate(
                DocumentOwner::Recommendation,
                DocumentKind::BuktiPencairan,
                "Surat pencairan"
            )
            .is_ok()
        );
    }

    #[test]
    fn the_title_is_one_line_of_at_most_200_characters() {
        let owner = DocumentOwner::Activity;
        let kind = DocumentKind::FotoKegiatan;
        assert!(validate(owner, kind, &"a".repeat(TITLE_MAX_CHARS)).is_ok());
        let err = validate(owner, kind, &"a".repeat(TITLE_MAX_CHARS + 1)).unwrap_err();
        assert_eq!(err.0[0].field, "title");
        assert_eq!(validate(owner, kind, "").unwrap_err().0[0].code, "required");
        assert!(validate(owner, kind, "two\nlines").is_err());
    }

    #[test]
    fn a_personal_document_is_never_a_viewers_and_an_assessors_only_through_a_case() {
        for owner in DocumentOwner::ALL {
            assert!(may_download(Role::Viewer, false, *owner));
            assert!(!may_download(Role::Viewer, true, *owner));
            assert!(may_download(Role::Admin, true, *owner));
            assert!(may_download(Role::Officer, true, *owner));
            assert_eq!(
                may_download(Role::Assessor, true, *owner),
                owner.is_clinic()
            );
        }
    }

    #[test]
    fn media_types_map_back_to_their_types_and_nothing_else_is_accepted() {
        for t in FileType::ALL {
            assert_eq!(FileType::from_media_type(t.media_type()), Some(t));
        }
        for other in [
            "application/zip",
            "application/x-executable",
            "text/html",
            "image/svg+xml",
            "",
        ] {
            assert_eq!(FileType::from_media_type(other), None);
        }
    }

    #[test]
    fn file_names_lose_paths_and_quotes_and_take_the_real_extension() {
        assert_eq!(
            safe_file_name("C:\\Users\\x\\Akta \"2019\".exe", FileType::Pdf),
            "Akta 2019.pdf"
        );
        assert_eq!(
            safe_file_name("../../etc/passwd", FileType::Png),
            "passwd.png"
        );
        assert_eq!(safe_file_name("", FileType::Jpeg), "document.jpg");
        assert_eq!(safe_file_name(".pdf", FileType::Pdf), "document.pdf");
        assert_eq!(
            safe_file_name("notulen.rat.PDF", FileType::Pdf),
            "notulen.rat.pdf"
        );
    }

    proptest! {
        #[test]
        fn a_safe_file_name_is_short_one_segment_and_quote_free(name in "\\PC{0,400}") {
            let safe = safe_file_name(&name, FileType::Docx);
            prop_assert!(safe.chars().count() <= FILE_NAME_MAX_CHARS);
            prop_assert!(safe.ends_with(".docx"));
            prop_assert!(!safe.contains(['/', '\\', '"', ';']));
            prop_assert!(!safe.chars().any(char::is_control));
        }
    }
}
