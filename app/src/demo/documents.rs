//! The demo city's evidence: generated PDFs and images, each stamped as a fictitious sample,
//! attached through the same upload path as a real file (the store, then the record and its
//! audit event). Deeds for some cooperatives, the team's worksheet for each final diagnosis, a
//! photo and an attendance list (personal) for mentoring visits, and proof of disbursement for
//! capital that reached the bank's customer.

use anyhow::Context;
use diesel::prelude::*;
use klinik_domain::documents::DocumentKind;
use klinik_persistence::schema::{diagnoses, mentoring_activities, recommendations};

use crate::documents::OwnerRef;
use crate::documents::upload::{self, describe};
use crate::prelude::*;

/// How many of each kind of record get a document: enough to browse, quick to seed.
const PER_KIND: i64 = 40;

/// Attaches the sample documents; answers how many.
pub async fn attach(app: &App) -> anyhow::Result<usize> {
    let ctx = Ctx::system(app.clone(), "seed-demo");
    let (cooperatives, finals, visits, disbursed) = app
        .read(|conn| {
            let cooperatives: Vec<i64> = klinik_persistence::schema::cooperatives::table
                .select(klinik_persistence::schema::cooperatives::id)
                .order(klinik_persistence::schema::cooperatives::id)
                .limit(PER_KIND)
                .load(conn)?;
            let finals: Vec<i64> = diagnoses::table
                .filter(diagnoses::status.eq("final"))
                .select(diagnoses::id)
                .order(diagnoses::id.desc())
                .limit(PER_KIND)
                .load(conn)?;
            let visits: Vec<i64> = mentoring_activities::table
                .filter(mentoring_activities::kind.eq("visit"))
                .select(mentoring_activities::id)
                .order(mentoring_activities::id.desc())
                .limit(PER_KIND)
                .load(conn)?;
            let disbursed: Vec<i64> = recommendations::table
                .filter(recommendations::disbursed_on.is_not_null())
                .select(recommendations::id)
                .order(recommendations::id.desc())
                .limit(PER_KIND)
                .load(conn)?;
            Ok::<_, klinik_persistence::StoreError>((cooperatives, finals, visits, disbursed))
        })
        .await
        .map_err(|e| anyhow::anyhow!("{e}"))?;
    let mut plan = Vec::new();
    for id in cooperatives {
        let owner = OwnerRef::Cooperative(CooperativeId(id));
        plan.push((
            owner,
            DocumentKind::AktaPendirian,
            "Akta pendirian",
            false,
            pdf("AKTA PENDIRIAN KOPERASI", id),
        ));
    }
    for id in finals {
        let owner = OwnerRef::Diagnosis(DiagnosisId(id));
        plan.push((
            owner,
            DocumentKind::LembarKerja,
            "Lembar kerja tim diagnosa",
            false,
            pdf("LEMBAR KERJA DIAGNOSA", id),
        ));
    }
    for id in visits {
        let owner = OwnerRef::Activity(ActivityId(id));
        plan.push((
            owner,
            DocumentKind::FotoKegiatan,
            "Foto kunjungan lapangan",
            false,
            png(id),
        ));
        plan.push((
            owner,
            DocumentKind::DaftarHadir,
            "Daftar hadir kunjungan",
            true,
            pdf("DAFTAR HADIR", id),
        ));
    }
    for id in disbursed {
        let owner = OwnerRef::Recommendation(RecommendationId(id));
        plan.push((
            owner,
            DocumentKind::BuktiPencairan,
            "Bukti pencairan modal",
            false,
            pdf("BUKTI PENCAIRAN", id),
        ));
    }
    let count = plan.len();
    for (owner, kind, title, personal, bytes) in plan {
        let target = upload::prepare(&ctx, owner)
            .await
            .map_err(|e| anyhow::anyhow!("{e}"))?;
        let mut sink = upload::sink(&ctx);
        sink.write(&bytes)
            .await
            .map_err(|e| anyhow::anyhow!("{e}"))?;
        let file = sink.finish().await.map_err(|e| anyhow::anyhow!("{e}"))?;
        let name = format!(
            "{}.{}",
            kind.as_str(),
            if bytes.starts_with(b"%PDF") {
                "pdf"
            } else {
                "png"
            }
        );
        upload::record(&ctx, target, describe(kind, title, personal), name, file)
            .await
            .map_err(|e| anyhow::anyhow!("{e}"))
            .context("attaching a sample document")?;
    }
    Ok(count)
}

/// A one-page PDF that says what it pretends to be and that it is fictitious.
pub fn pdf(heading: &str, id: i64) -> Vec<u8> {
    let text = format!(
        "BT /F1 18 Tf 56 760 Td ({heading}) Tj 0 -32 Td /F1 12 Tf (CONTOH FIKTIF - SAMPLE, NOT A REAL DOCUMENT) Tj 0 -20 Td (Klinik KUMKM seed-demo, record {id}) Tj ET"
    );
    let objects = [
        "<< /Type /Catalog /Pages 2 0 R >>".to_owned(),
        "<< /Type /Pages /Kids [3 0 R] /Count 1 >>".to_owned(),
        "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R /Resources << /Font << /F1 5 0 R >> >> >>".to_owned(),
        format!("<< /Length {} >>\nstream\n{text}\nendstream", text.len()),
        "<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>".to_owned(),
    ];
    let mut out = b"%PDF-1.4\n".to_vec();
    let mut offsets = Vec::new();
    for (i, object) in objects.iter().enumerate() {
        offsets.push(out.len());
        out.extend_from_slice(format!("{} 0 obj\n{object}\nendobj\n", i + 1).as_bytes());
    }
    let xref = out.len();
    out.extend_from_slice(
        format!("xref\n0 {}\n0000000000 65535 f \n", objects.len() + 1).as_bytes(),
    );
    for offset in offsets {
        out.extend_from_slice(format!("{offset:010} 00000 n \n").as_bytes());
    }
    out.extend_from_slice(
        format!(
            "trailer\n<< /Size {} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n",
            objects.len() + 1
        )
        .as_bytes(),
    );
    out
}

/// A small grey PNG with diagonal stripes, different for each record (stored, uncompressed).
pub fn png(id: i64) -> Vec<u8> {
    const W: usize = 96;
    const H: usize = 64;
    let mut raw = Vec::with_capacity((W + 1) * H);
    for y in 0..H {
        raw.push(0); // no filter
        for x in 0..W {
            let stripe = ((x + y + id.unsigned_abs() as usize) / 8).is_multiple_of(2);
            raw.push(if stripe { 0xC0 } else { 0x60 });
        }
    }
    // zlib: one stored deflate block, then the Adler-32 of the data.
    let mut zlib = vec![0x78, 0x01, 0x01];
    let len = u16::try_from(raw.len()).unwrap_or(u16::MAX);
    zlib.extend_from_slice(&len.to_le_bytes());
    zlib.extend_from_slice(&(!len).to_le_bytes());
    zlib.extend_from_slice(&raw);
    let (mut a, mut b) = (1u32, 0u32);
    for byte in &raw {
        a = (a + u32::from(*byte)) % 65_521;
        b = (b + a) % 65_521;
    }
    zlib.extend_from_slice(&((b << 16) | a).to_be_bytes());
    let mut header = Vec::new();
    header.extend_from_slice(&(W as u32).to_be_bytes());
    header.extend_from_slice(&(H as u32).to_be_bytes());
    header.extend_from_slice(&[8, 0, 0, 0, 0]); // 8-bit greyscale
    let mut out = b"\x89PNG\r\n\x1a\n".to_vec();
    for (kind, data) in [(b"IHDR", header), (b"IDAT", zlib), (b"IEND", Vec::new())] {
        out.extend_from_slice(&(data.len() as u32).to_be_bytes());
        let mut chunk = kind.to_vec();
        chunk.extend_from_slice(&data);
        out.extend_from_slice(&chunk);
        out.extend_from_slice(&crc32(&chunk).to_be_bytes());
    }
    out
}

fn crc32(bytes: &[u8]) -> u32 {
    let mut crc = 0xFFFF_FFFFu32;
    for byte in bytes {
        crc ^= u32::from(*byte);
        for _ in 0..8 {
            crc = if crc & 1 == 1 {
                (crc >> 1) ^ 0xEDB8_8320
            } else {
                crc >> 1
            };
        }
    }
    !crc
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::documents::storage::file_type_of;
    use klinik_domain::documents::FileType;

    #[test]
    fn the_samples_are_what_they_claim_to_be() {
        assert_eq!(file_type_of(&pdf("AKTA", 7)).unwrap(), FileType::Pdf);
        assert_eq!(file_type_of(&png(7)).unwrap(), FileType::Png);
        assert_ne!(png(1), png(2));
        // The PNG's checksum of "IEND" alone is the well-known AE 42 60 82.
        assert!(png(3).ends_with(&[0xAE, 0x42, 0x60, 0x82]));
    }
}
