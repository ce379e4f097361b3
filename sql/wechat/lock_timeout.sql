-- Bounds the wait for another node's fetch (the transaction's own setting). $1 e.g. '6000ms'.
SELECT set_config('lock_timeout', $1, true)
