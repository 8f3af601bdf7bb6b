-- 0005: rooms and resources (RFC 6638 §3.2, CUTYPE ROOM/RESOURCE) answer
-- invitations by a booking policy: accept-if-free, always or manual.

ALTER TABLE principals ADD COLUMN booking_policy TEXT NOT NULL DEFAULT 'accept-if-free'
    CHECK (booking_policy IN ('accept-if-free', 'always', 'manual'));
