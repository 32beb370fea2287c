-- cas: replace a versioned JSON document iff its stored version is the expected one, and
-- refresh the time-to-live of the document and of the keys that live and die with it.
--
-- KEYS[1]    the document (e.g. chess:room:<id>)
-- KEYS[2..n] keys whose TTL is refreshed together with the document (e.g. chess:code:<code>)
-- ARGV[1]    expected version, decimal (0 matches a legacy document without a "version")
-- ARGV[2]    the new document: JSON text whose top-level "version" is the new version
-- ARGV[3]    time-to-live in seconds
-- Returns 1 when replaced, 0 when the document does not exist, -1 on a version mismatch.

-- Returns the document's top-level "version" as a decimal string ("0" when it has none).
-- Why not always cjson.decode: decoding the whole room on every move costs more than the rest of
-- the script, and only the one number is needed. The pattern is exact for our documents: in
-- JSON text every quote inside a string is escaped (\"), so `"version":` preceded by `{` or `,`
-- (whitespace allowed) can only be an object key, never string content. Every writer puts a
-- top-level "version" in each document, so a single match is the top-level one; when a nested
-- object also has a "version" key (two or more matches) the document is decoded to decide.
-- Documents written by the original server (no "version" anywhere) read as version 0.
local function stored_version(doc)
  local found, count = nil, 0
  for v in string.gmatch(doc, '[{,]%s*"version"%s*:%s*(%d+)') do
    found = v
    count = count + 1
    if count > 1 then break end
  end
  if count == 1 then return found end
  if count == 0 then return '0' end
  local ok, obj = pcall(cjson.decode, doc)
  if ok and type(obj) == 'table' and type(obj.version) == 'number' then
    return string.format('%d', obj.version)
  end
  return '0'
end

local doc = redis.call('GET', KEYS[1])
if not doc then return 0 end
if stored_version(doc) ~= ARGV[1] then return -1 end
local ttl = tonumber(ARGV[3])
redis.call('SET', KEYS[1], ARGV[2], 'EX', ttl)
for i = 2, #KEYS do redis.call('EXPIRE', KEYS[i], ttl) end
return 1
