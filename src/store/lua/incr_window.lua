-- incr_window: count an event in a fixed window (rate limits shared by every instance).
--
-- KEYS[1] the counter (e.g. rl:move:<userId>)
-- ARGV[1] window length in milliseconds
-- Returns {count in the current window, milliseconds left in the window}.
local n = redis.call('INCR', KEYS[1])
if n == 1 then redis.call('PEXPIRE', KEYS[1], ARGV[1]) end
local ttl = redis.call('PTTL', KEYS[1])
if ttl < 0 then
  -- A counter without an expiry (left by an operator, or a crash between INCR and PEXPIRE in
  -- an older version) would block forever: give it a fresh window.
  redis.call('PEXPIRE', KEYS[1], ARGV[1])
  ttl = tonumber(ARGV[1])
end
return {n, ttl}
