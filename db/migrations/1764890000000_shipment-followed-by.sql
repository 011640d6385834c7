-- Up Migration
-- Which workflow takes a shipment's ship and deliver updates (issue 14): 'shipment', its own child of the fulfillment (every
-- shipment before this, and a mall's vendor parcels), or 'fulfillment', the order's fulfillment itself (a single brand's
-- one parcel: one workflow fewer per order). Decided once, when the fulfillment creates the row; the API addresses the
-- updates by it (domain/ids.ts shipmentFollowerId).
ALTER TABLE shipments ADD COLUMN followed_by text NOT NULL DEFAULT 'shipment' CHECK (followed_by IN ('shipment', 'fulfillment'));

-- Down Migration
ALTER TABLE shipments DROP COLUMN followed_by;
