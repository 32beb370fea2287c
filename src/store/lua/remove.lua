-- remove: delete a versioned JSON document and the keys that live and die with it, iff its
-- stored version is the expected one (or unconditionally when the expected version is 0).
--
-- KEYS[1]    the document (e.g. chess:room:<id>)
-- KEYS[2..n] keys deleted together with the document (e.g. chess:code:<code>)
-- ARGV[1]    expected version, decimal; "0" deletes whatever version is stored
-- Returns 1 when deleted, 0 when the document does not exist, -1 on a version mismatch.

-- Returns the document's top-level "version" as a decimal string ("0" when it has none).
-- Same reasoning as in cas.lua (kept identical; each script must be self-contained because
-- Redis runs scripts in isolation): the `"version":` key pattern after `{` or `,` cannot match
-- inside a JSON string, a single match is the top-level key, several matches are decoded.
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
if ARGV[1] ~= '0' and stored_version(doc) ~= ARGV[1] then return -1 end
redis.call('DEL', unpack(KEYS))
return 1
