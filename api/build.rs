// The message catalogues are compiled in by rust-i18n's `i18n!` macro, which cargo does not know
// reads them: rebuild when they change.
fn main() {
    println!("cargo:rerun-if-changed=locales");
}
