-- touch: set the same time-to-live on several keys in one round trip (activity on a room keeps
-- the room and its code mapping alive together).
--
-- KEYS[1..n] keys to refresh (absent keys are skipped)
-- ARGV[1]    time-to-live in seconds
-- Returns the number of keys that existed and were refreshed.
local ttl = tonumber(ARGV[1])
local n = 0
for i = 1, #KEYS do n = n + redis.call('EXPIRE', KEYS[i], ttl) end
return n
