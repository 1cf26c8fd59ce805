-- Sealed values cannot be decrypted in SQL: going down loses them (restore a backup instead).
ALTER TABLE persons DROP COLUMN home_address_encrypted;
ALTER TABLE persons DROP COLUMN phone_encrypted;
ALTER TABLE persons DROP COLUMN birth_date_encrypted;
ALTER TABLE persons RENAME COLUMN legacy_home_address TO home_address;
ALTER TABLE persons RENAME COLUMN legacy_phone TO phone;
ALTER TABLE persons RENAME COLUMN legacy_birth_date TO birth_date;
