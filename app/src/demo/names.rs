//! Names, identifiers and shares that make a demo city look like Kota Bogor while being plainly
//! synthetic.

use klinik_domain::cooperative::CooperativeType;
use klinik_domain::ukm::Sector;
use rand::RngExt;
use rand::rngs::ChaCha8Rng;

/// A synthetic NIK, unique for every `i` below [`MAX_UKM`]: district 9x does not exist in Kota
/// Bogor, so it has the right shape and is plainly fake.
pub fn synthetic_nik(i: usize, female: bool) -> String {
    let district = i % 10;
    let sequence = (i / 10) % 9_999 + 1;
    let date = i / 99_990;
    let day = date % 28 + 1 + if female { 40 } else { 0 };
    let month = (date / 28) % 12 + 1;
    let year = 60 + (date / 336) % 40;
    format!("32719{district}{day:02}{month:02}{year:02}{sequence:04}")
}

pub const FIRST_NAMES: &[&str] = &[
    "Siti", "Budi", "Dewi", "Agus", "Rina", "Asep", "Euis", "Dadang", "Nining", "Ujang", "Yanti",
    "Hendra", "Lilis", "Cecep", "Nurul", "Iwan", "Fitri", "Dedi", "Wati", "Rudi", "Neneng", "Asri",
    "Ahmad", "Sri", "Tati", "Eko",
];
pub const LAST_NAMES: &[&str] = &[
    "Aminah",
    "Santoso",
    "Lestari",
    "Hidayat",
    "Rahayu",
    "Saputra",
    "Kurniawan",
    "Nurhayati",
    "Suryana",
    "Permana",
    "Setiawan",
    "Maryati",
    "Sutisna",
    "Hermawan",
    "Gunawan",
    "Purnama",
    "Wijaya",
    "Supriatna",
    "Handayani",
    "Ramdani",
];
pub const WORDS: &[&str] = &[
    "Mekar",
    "Sejahtera",
    "Makmur",
    "Bersama",
    "Mandiri",
    "Jaya",
    "Sentosa",
    "Harapan",
    "Karya",
    "Maju",
    "Abadi",
    "Amanah",
    "Berkah",
    "Warga",
    "Pakuan",
    "Sauyunan",
    "Rahayu",
    "Lestari",
    "Sinar",
    "Tunas",
];
pub const CULINARY: &[&str] = &[
    "Asinan",
    "Roti Unyil",
    "Talas",
    "Soto Kuning",
    "Toge Goreng",
    "Laksa",
    "Doclang",
    "Cungkring",
    "Lapis Talas",
    "Bir Kotjok",
];
pub const OTHER_TRADES: &[(Sector, &str)] = &[
    (Sector::Fashion, "Batik"),
    (Sector::Craft, "Kerajinan"),
    (Sector::Services, "Jasa"),
    (Sector::Trade, "Toko"),
    (Sector::CreativeEconomy, "Studio"),
    (Sector::Agriculture, "Tani"),
    (Sector::Other, "Usaha"),
];

pub fn pick<'a>(rng: &mut ChaCha8Rng, items: &[&'a str]) -> &'a str {
    items[rng.random_range(0..items.len())]
}

pub fn person_name(rng: &mut ChaCha8Rng) -> String {
    format!("{} {}", pick(rng, FIRST_NAMES), pick(rng, LAST_NAMES))
}

/// Cooperative types in the national shares of 2017, as exact counts for `total`.
pub fn cooperative_types(total: usize) -> Vec<CooperativeType> {
    let shares = [
        (CooperativeType::Konsumen, 64),
        (CooperativeType::Produsen, 18),
        (CooperativeType::SimpanPinjam, 13),
        (CooperativeType::Jasa, 3),
        (CooperativeType::Pemasaran, 2),
    ];
    let mut types = Vec::with_capacity(total);
    for (kind, percent) in shares {
        types.extend(std::iter::repeat_n(kind, total * percent / 100));
    }
    while types.len() < total {
        types.push(CooperativeType::Konsumen);
    }
    types
}

/// Shuffles `items` in place (Fisher–Yates) with the seeded generator.
pub fn shuffle<T>(rng: &mut ChaCha8Rng, items: &mut [T]) {
    for i in (1..items.len()).rev() {
        items.swap(i, rng.random_range(0..=i));
    }
}
