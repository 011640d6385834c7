-- Up Migration
-- A download abandoned before its last byte is given back to its link (api/routes/downloads.ts), at most
-- MAX_DOWNLOAD_GIVE_BACKS times (domain/digital.ts): without a bound, a client hanging up just before the end could fetch
-- almost all of the file any number of times. A reissue (a new link) starts the count again.
ALTER TABLE digital_deliveries ADD COLUMN give_backs integer NOT NULL DEFAULT 0 CHECK (give_backs >= 0);

-- Down Migration
ALTER TABLE digital_deliveries DROP COLUMN give_backs;
