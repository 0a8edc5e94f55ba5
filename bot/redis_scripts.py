"""The one Lua script behind the Redis job storage: check some conditions, then write.

It decides nothing about jobs: bot.jobs_machine decides, bot.redis_jobs turns the answer
into Redis commands, and this script applies them only if every check still holds, in one
atomic step. ARGV[1] is JSON: {"if": [check, ...], "do": [[command, arg, ...], ...]}.

Checks:  ["eq", hash, field, value]    the field holds value ("" = the field is absent)
         ["absent", key]               the key does not exist
         ["below", hash, field, limit] the field's integer (absent = 0) is below limit
         ["empty", zset]               the sorted set has no member
Returns 1 when written, 0 when a check failed (nothing written).
Key names are built by the caller under one prefix: this needs one Redis (or Sentinel),
not Cluster (docs/scaling.md).
"""

from __future__ import annotations

CHECKED_WRITE = """
local plan = cjson.decode(ARGV[1])
for _, c in ipairs(plan['if']) do
  local kind = c[1]
  if kind == 'eq' then
    if (redis.call('HGET', c[2], c[3]) or '') ~= c[4] then return 0 end
  elseif kind == 'absent' then
    if redis.call('EXISTS', c[2]) == 1 then return 0 end
  elseif kind == 'below' then
    if tonumber(redis.call('HGET', c[2], c[3]) or '0') >= tonumber(c[4]) then return 0 end
  elseif kind == 'empty' then
    if redis.call('ZCARD', c[2]) > 0 then return 0 end
  else
    return redis.error_reply('unknown check ' .. tostring(kind))
  end
end
for _, command in ipairs(plan['do']) do
  redis.call(unpack(command))
end
return 1
"""
