-- Phone, birth date and home address are personal data (UU 27/2022) and are now stored like the
-- NIK: AES-256-GCM ciphertext written by the application (app/src/personal_data.rs). SQL cannot
-- encrypt (it has no key), so the clear columns are renamed `legacy_*` and the application's
-- start-up moves any value still in them into the sealed columns and clears them, in one
-- transaction. They stay NULL from then on and no query reads them.
ALTER TABLE persons RENAME COLUMN birth_date TO legacy_birth_date;
ALTER TABLE persons RENAME COLUMN phone TO legacy_phone;
ALTER TABLE persons RENAME COLUMN home_address TO legacy_home_address;
ALTER TABLE persons ADD COLUMN birth_date_encrypted TEXT;
ALTER TABLE persons ADD COLUMN phone_encrypted TEXT;
ALTER TABLE persons ADD COLUMN home_address_encrypted TEXT;
