// Lua sources of the Redis quota store. One script per operation, so each consume, reserve or settle is
// one atomic round trip. The calendar (fixed window frames) is computed by the caller and passed in, so
// there is one implementation of it (`fixedWindowFrames` in @intelgraph/finops).
//
// Common ARGV layout (after the operation-specific head):
//   base, now, thresholds (JSON), N sliding buckets, 4 sliding lengths, 8 fixed frame bounds
// Expiries are relative (PX, PEXPIRE): `now` is the caller's clock, which need not match the server's.
// All dynamic keys start with `base`, which carries the org's hash tag, so they share one cluster slot.

const LIBRARY = `
local function fmt(n) return string.format('%d', n) end
local WINDOWS = { 'minute', 'hour', 'day', 'month' }

local function ctx_from(argv, i)
  local c = {}
  c.base = argv[i]
  c.now = tonumber(argv[i + 1])
  c.thresholds = cjson.decode(argv[i + 2])
  c.N = tonumber(argv[i + 3])
  c.slen, c.fstart, c.fend = {}, {}, {}
  for w = 1, 4 do
    c.slen[WINDOWS[w]] = tonumber(argv[i + 3 + w])
    c.fstart[WINDOWS[w]] = tonumber(argv[i + 6 + 2 * w])
    c.fend[WINDOWS[w]] = tonumber(argv[i + 7 + 2 * w])
  end
  return c
end

-- Reads one rule at c.now: used, resetAt, counter key, bucket (-1 for fixed windows).
local function read_rule(c, rk, rule)
  if rule.windowKind == 'fixed' then
    local start = c.fstart[rule.window]
    local key = c.base .. 'f:' .. rk .. ':' .. fmt(start)
    local used = tonumber(redis.call('GET', key) or '0')
    return used, c.fend[rule.window], key, -1
  end
  local bucketMs = c.slen[rule.window] / c.N
  local idx = math.floor(c.now / bucketMs)
  local key = c.base .. 's:' .. rk
  local fields = {}
  for j = idx - c.N, idx do fields[#fields + 1] = fmt(j) end
  local vals = redis.call('HMGET', key, unpack(fields))
  local used, oldest = 0, -1
  for n = 1, #vals do
    local v = tonumber(vals[n] or '0')
    if v > 0 and oldest < 0 then oldest = idx - c.N + n - 1 end
    used = used + v
  end
  local resetAt = c.now
  if oldest >= 0 then resetAt = (oldest + c.N + 1) * bucketMs end
  return used, resetAt, key, idx
end

-- Adds delta to a counter; creates it only when asked and delta is positive. Never below zero.
local function add(c, ch, delta, create)
  if ch.bucket < 0 then
    if redis.call('EXISTS', ch.key) == 1 then
      if redis.call('INCRBY', ch.key, delta) < 0 then redis.call('SET', ch.key, 0, 'KEEPTTL') end
    elseif create and delta > 0 then
      redis.call('SET', ch.key, delta, 'PX', fmt(c.fend[ch.rule.window] - c.now + 1000))
    end
    return
  end
  local windowMs = c.slen[ch.rule.window]
  local bucketMs = windowMs / c.N
  if redis.call('EXISTS', ch.key) == 0 and not (create and delta > 0) then return end
  local field = fmt(ch.bucket)
  if redis.call('HINCRBY', ch.key, field, delta) < 0 then redis.call('HSET', ch.key, field, 0) end
  if delta > 0 then
    local ttl = (ch.bucket + 1) * bucketMs + windowMs + bucketMs - c.now
    if redis.call('PTTL', ch.key) < ttl then redis.call('PEXPIRE', ch.key, fmt(ttl)) end
    if redis.call('HLEN', ch.key) > 2 * c.N + 2 then
      local oldest_live = math.floor(c.now / bucketMs) - c.N
      for _, f in ipairs(redis.call('HKEYS', ch.key)) do
        if tonumber(f) < oldest_live then redis.call('HDEL', ch.key, f) end
      end
    end
  end
end

local function alert_start(c, rule)
  if rule.windowKind == 'fixed' then return c.fstart[rule.window] end
  local len = c.slen[rule.window]
  return math.floor(c.now / len) * len
end

local function crossings_for(c, rk, rule, used, out)
  if used <= 0 then return end
  local ws = alert_start(c, rule)
  for _, t in ipairs(c.thresholds) do
    if used >= t * rule.limit then
      local mark = c.base .. 'a:' .. rk .. ':' .. fmt(ws) .. ':' .. tostring(t)
      local ttl = fmt(2 * c.slen[rule.window] + 86400000)
      if redis.call('SET', mark, '1', 'NX', 'PX', ttl) then
        out[#out + 1] = { rule = rule, threshold = t, used = used, windowStart = ws }
      end
    end
  end
end

-- Returns expired reservations of the org to their quotas.
local function sweep(c, zkey)
  local ids = redis.call('ZRANGEBYSCORE', zkey, '-inf', fmt(c.now), 'LIMIT', 0, 200)
  for _, id in ipairs(ids) do
    local rkey = c.base .. 'r:' .. id
    local raw = redis.call('GET', rkey)
    if raw then
      local rec = cjson.decode(raw)
      for _, ch in ipairs(rec.charges) do add(c, ch, -ch.amount, false) end
      redis.call('DEL', rkey)
    end
    redis.call('ZREM', zkey, id)
  end
end

-- Rules that apply to plugin ('' = every rule of the org), sorted by key.
local function applicable(rules_key, plugin)
  local raw = redis.call('HGETALL', rules_key)
  local list = {}
  for i = 1, #raw, 2 do
    local rule = cjson.decode(raw[i + 1])
    if plugin == '' or rule.scope.plugin == nil or rule.scope.plugin == plugin then
      list[#list + 1] = { rk = raw[i], rule = rule }
    end
  end
  table.sort(list, function(a, b) return a.rk < b.rk end)
  return list
end
`;

/** KEYS: rules hash, reservations zset. ARGV: plugin, calls, cpuMs, rows, reservation id, expiresAt, then common. */
export const CHARGE_SCRIPT = `${LIBRARY}
local c = ctx_from(ARGV, 7)
local plugin = ARGV[1]
local amounts = { calls = tonumber(ARGV[2]), cpuMs = tonumber(ARGV[3]), rows = tonumber(ARGV[4]) }
local res_id = ARGV[5]
local expires_at = tonumber(ARGV[6])
sweep(c, KEYS[2])
local states = {}
for _, r in ipairs(applicable(KEYS[1], plugin)) do
  local used, reset_at, key, bucket = read_rule(c, r.rk, r.rule)
  states[#states + 1] = { rk = r.rk, rule = r.rule, used = used, resetAt = reset_at, key = key, bucket = bucket }
end
local usage = {}
for i, s in ipairs(states) do usage[i] = { rule = s.rule, used = s.used, resetAt = s.resetAt } end
for _, s in ipairs(states) do
  local amount = amounts[s.rule.resource]
  if s.rule.mode == 'hard' and amount > 0 and s.used + amount > s.rule.limit then
    return cjson.encode({ ok = false, denied = { rule = s.rule, used = s.used, resetAt = s.resetAt, requested = amount }, usage = usage })
  end
end
local charges, crossings = {}, {}
for i, s in ipairs(states) do
  local amount = amounts[s.rule.resource]
  if amount > 0 then
    local ch = { rule = s.rule, key = s.key, bucket = s.bucket, amount = amount, rk = s.rk }
    add(c, ch, amount, true)
    s.used = s.used + amount
    usage[i].used = s.used
    charges[#charges + 1] = ch
    crossings_for(c, s.rk, s.rule, s.used, crossings)
  end
end
if res_id ~= '' then
  local rec = cjson.encode({ amounts = amounts, charges = charges, expiresAt = expires_at })
  redis.call('SET', c.base .. 'r:' .. res_id, rec, 'PX', fmt(math.max(1, expires_at - c.now) + 32 * 86400000))
  redis.call('ZADD', KEYS[2], fmt(expires_at), res_id)
end
return cjson.encode({ ok = true, usage = usage, crossings = crossings })
`;

/** KEYS: reservations zset. ARGV: reservation id, calls, cpuMs, rows, then common. */
export const SETTLE_SCRIPT = `${LIBRARY}
local c = ctx_from(ARGV, 5)
local res_id = ARGV[1]
local actual = { calls = tonumber(ARGV[2]), cpuMs = tonumber(ARGV[3]), rows = tonumber(ARGV[4]) }
sweep(c, KEYS[1])
local rkey = c.base .. 'r:' .. res_id
local raw = redis.call('GET', rkey)
if not raw then return cjson.encode({ settled = false }) end
redis.call('DEL', rkey)
redis.call('ZREM', KEYS[1], res_id)
local rec = cjson.decode(raw)
local crossings = {}
for _, ch in ipairs(rec.charges) do
  local delta = actual[ch.rule.resource] - rec.amounts[ch.rule.resource]
  if delta ~= 0 then
    add(c, ch, delta, false)
    if delta > 0 then
      local used = read_rule(c, ch.rk, ch.rule)
      crossings_for(c, ch.rk, ch.rule, used, crossings)
    end
  end
end
return cjson.encode({ settled = true, reserved = rec.amounts, crossings = crossings })
`;

/** KEYS: rules hash, reservations zset. ARGV: plugin ('' for all), then common. */
export const USAGE_SCRIPT = `${LIBRARY}
local c = ctx_from(ARGV, 2)
sweep(c, KEYS[2])
local usage = {}
for _, r in ipairs(applicable(KEYS[1], ARGV[1])) do
  local used, reset_at = read_rule(c, r.rk, r.rule)
  usage[#usage + 1] = { rule = r.rule, used = used, resetAt = reset_at }
end
return cjson.encode({ usage = usage })
`;

/** GCRA rate limit. KEYS: the limiter key. ARGV: now, emission interval, burst. */
export const RATE_LIMIT_SCRIPT = `
local now = tonumber(ARGV[1])
local emission = tonumber(ARGV[2])
local burst = tonumber(ARGV[3])
local stored = tonumber(redis.call('GET', KEYS[1]) or '0')
local tat = math.max(stored, now)
local new_tat = tat + emission
local allow_at = new_tat - burst * emission
if now < allow_at then
  return { 0, 0, string.format('%d', math.ceil(allow_at - now)), string.format('%d', math.ceil(tat)) }
end
redis.call('SET', KEYS[1], string.format('%.3f', new_tat), 'PX', string.format('%d', math.ceil(new_tat - now) + 1000))
local remaining = math.floor((now - allow_at) / emission)
return { 1, remaining, '0', string.format('%d', math.ceil(new_tat)) }
`;
