"""The Lua scripts behind bot.redis_jobs: one atomic step of a job record each.

Every script gets the key prefix as ARGV[1] and the delivery id (or PR key) as ARGV[2].
Keys: <P>job:<id> (hash), <P>jobs (sorted set: ids by arrival), <P>active (set: queued or
running ids), <P>seq (counter), <P>pr:<owner/repo#N> (set: a PR's active ids),
<P>lock:<owner/repo#N> or <P>lock:delivery:<id> (token "<id>:<attempt>").
Quirks: a nil reply reads as `false` in Lua; a Lua number returned to Redis is cut to an
integer, so fractional values go back as strings.
"""

from __future__ import annotations

# The lock name of a job: its PR, or the delivery itself for events about no PR.
_LOCK = """
local function lock_of(P, id, key)
  if key and key ~= '' then return P .. 'lock:' .. key end
  return P .. 'lock:delivery:' .. id
end
"""

# ARGV: P, id, now, claim ttl, job json, event, action, key. 1 = new, 0 = seen before.
CLAIM = """
local P, id, now = ARGV[1], ARGV[2], ARGV[3]
local rec = P .. 'job:' .. id
if redis.call('EXISTS', rec) == 1 then return 0 end
local seq = redis.call('INCR', P .. 'seq')
redis.call('HSET', rec, 'job', ARGV[5], 'event', ARGV[6], 'action', ARGV[7], 'key', ARGV[8],
  'status', 'queued', 'attempts', 0, 'next_run_at', now, 'created_at', now,
  'updated_at', now, 'seq', seq)
redis.call('EXPIRE', rec, ARGV[4])
redis.call('ZADD', P .. 'jobs', seq, id)
redis.call('SADD', P .. 'active', id)
return 1
"""

# ARGV: P, id, now, retention, supersede ('1'/'0'). Older queued jobs of the PR are
# superseded here, once the new job's message is surely on the broker.
CONFIRM = """
local P, id, now = ARGV[1], ARGV[2], ARGV[3]
local rec = P .. 'job:' .. id
local seq, key = unpack(redis.call('HMGET', rec, 'seq', 'key'))
if not seq then return 0 end
redis.call('EXPIRE', rec, ARGV[4])
if key == '' then return 1 end
local group = P .. 'pr:' .. key
if ARGV[5] == '1' then
  for _, other in ipairs(redis.call('SMEMBERS', group)) do
    local orec = P .. 'job:' .. other
    local st, oseq = unpack(redis.call('HMGET', orec, 'status', 'seq'))
    if st == 'queued' and tonumber(oseq) < tonumber(seq) then
      redis.call('HSET', orec, 'status', 'superseded', 'reason', 'superseded by ' .. id,
        'updated_at', now)
      redis.call('HDEL', orec, 'job')
      redis.call('SREM', P .. 'active', other)
      redis.call('SREM', group, other)
    elseif not st then
      redis.call('SREM', group, other)
    end
  end
end
redis.call('SADD', group, id)
redis.call('EXPIRE', group, ARGV[4])
return 1
"""

# ARGV: P, id.
RELEASE = """
local P, id = ARGV[1], ARGV[2]
redis.call('DEL', P .. 'job:' .. id)
redis.call('ZREM', P .. 'jobs', id)
redis.call('SREM', P .. 'active', id)
return 1
"""

# ARGV: P, id, now, worker, lease ms, max attempts -> {outcome, attempt, delay}.
BEGIN = (
    _LOCK
    + """
local P, id, now, lease = ARGV[1], ARGV[2], tonumber(ARGV[3]), tonumber(ARGV[5])
local rec = P .. 'job:' .. id
local st, attempts, due, expires, key = unpack(redis.call('HMGET', rec,
  'status', 'attempts', 'next_run_at', 'lease_expires_at', 'key'))
if not st then return {'missing', 0, '0'} end
attempts = tonumber(attempts)
if st == 'queued' then
  if tonumber(due) > now then return {'early', 0, tostring(tonumber(due) - now)} end
elseif st == 'running' then
  -- Another copy of the message is running it (a visibility-timeout redelivery).
  if tonumber(expires) > now then return {'busy', 0, '0'} end
  if attempts >= tonumber(ARGV[6]) then
    redis.call('HSET', rec, 'status', 'failed', 'updated_at', ARGV[3], 'reason',
      'worker lost (lease expired) on attempt ' .. attempts .. ' of ' .. ARGV[6])
    redis.call('HDEL', rec, 'leased_by', 'lease_expires_at')
    redis.call('SREM', P .. 'active', id)
    if key ~= '' then redis.call('SREM', P .. 'pr:' .. key, id) end
    return {'failed', 0, '0'}
  end
else
  return {st, 0, '0'}
end
if not redis.call('SET', lock_of(P, id, key), id .. ':' .. (attempts + 1), 'NX', 'PX', lease)
then
  return {'busy', 0, '0'}
end
attempts = redis.call('HINCRBY', rec, 'attempts', 1)
redis.call('HSET', rec, 'status', 'running', 'leased_by', ARGV[4],
  'lease_expires_at', tostring(now + lease / 1000), 'updated_at', ARGV[3])
return {'run', attempts, '0'}
"""
)

# ARGV: P, id, attempt, now, lease ms. 1 = renewed, 0 = the lock is not this attempt's.
RENEW = (
    _LOCK
    + """
local P, id = ARGV[1], ARGV[2]
local rec = P .. 'job:' .. id
local key = redis.call('HGET', rec, 'key')
if not key then return 0 end
local lock = lock_of(P, id, key)
if redis.call('GET', lock) ~= id .. ':' .. ARGV[3] then return 0 end
redis.call('PEXPIRE', lock, ARGV[5])
redis.call('HSET', rec, 'lease_expires_at', tostring(tonumber(ARGV[4]) + ARGV[5] / 1000),
  'updated_at', ARGV[4])
return 1
"""
)

# ARGV: P, id, attempt, now, new status, next_run_at, reason. Only the attempt that is
# running may finish the job; its lock is released only if still its own.
FINISH = (
    _LOCK
    + """
local P, id, attempt, now, status = ARGV[1], ARGV[2], ARGV[3], ARGV[4], ARGV[5]
local rec = P .. 'job:' .. id
local st, attempts, key = unpack(redis.call('HMGET', rec, 'status', 'attempts', 'key'))
if st ~= 'running' or attempts ~= attempt then return 0 end
redis.call('HSET', rec, 'status', status, 'next_run_at', ARGV[6], 'reason', ARGV[7],
  'updated_at', now)
redis.call('HDEL', rec, 'leased_by', 'lease_expires_at')
if status ~= 'queued' then
  redis.call('SREM', P .. 'active', id)
  if key ~= '' then redis.call('SREM', P .. 'pr:' .. key, id) end
end
if status == 'completed' then redis.call('HDEL', rec, 'job', 'reason') end
local lock = lock_of(P, id, key)
if redis.call('GET', lock) == id .. ':' .. attempt then redis.call('DEL', lock) end
return 1
"""
)

# ARGV: P, key, now -> how many queued jobs of the PR were cancelled.
CANCEL = """
local P, now = ARGV[1], ARGV[3]
local group = P .. 'pr:' .. ARGV[2]
local n = 0
for _, id in ipairs(redis.call('SMEMBERS', group)) do
  local rec = P .. 'job:' .. id
  local st = redis.call('HGET', rec, 'status')
  if st == 'queued' then
    redis.call('HSET', rec, 'status', 'cancelled', 'reason', 'pull request closed',
      'updated_at', now)
    redis.call('HDEL', rec, 'job')
    redis.call('SREM', P .. 'active', id)
    redis.call('SREM', group, id)
    n = n + 1
  elseif not st then
    redis.call('SREM', group, id)
  end
end
return n
"""

# ARGV: P, id, now -> the job's JSON when a failed job was queued again, else nil.
REQUEUE = """
local P, id, now = ARGV[1], ARGV[2], ARGV[3]
local rec = P .. 'job:' .. id
local st, job, key = unpack(redis.call('HMGET', rec, 'status', 'job', 'key'))
if st ~= 'failed' or not job then return false end
redis.call('HSET', rec, 'status', 'queued', 'attempts', 0, 'next_run_at', now,
  'updated_at', now)
redis.call('SADD', P .. 'active', id)
if key ~= '' then redis.call('SADD', P .. 'pr:' .. key, id) end
return job
"""
