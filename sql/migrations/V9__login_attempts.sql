-- Login abuse limits (issue 8): failed radar and admin logins counted per login name and per client
-- address, shared by every node. `key` is 'login:<kind>:<name>' or 'addr:<address>'; a key whose
-- `failures` reach the limit is refused until `blocked_until` (exponential backoff).
CREATE TABLE login_attempts (
    key            text PRIMARY KEY,
    failures       integer NOT NULL DEFAULT 0,
    last_failure   timestamptz NOT NULL DEFAULT now(),
    blocked_until  timestamptz
);
CREATE INDEX login_attempts_stale_idx ON login_attempts (last_failure);
