'use strict';

const { Mutex } = require('./mutex');

const refreshLock = new Mutex();
let current = null;

async function fetchToken(client) {
  const reply = await client.post('/oauth/token', { grant_type: 'client_credentials' });
  return { value: reply.data.access_token, expiresAt: Date.now() + reply.data.expires_in * 1000 };
}

async function token(client) {
  if (current && current.expiresAt > Date.now() + 5000) {
    return current.value;
  }
  await refreshLock.acquire();
  if (!current || current.expiresAt <= Date.now() + 5000) {
    current = await fetchToken(client);
  }
  return current.value;
}

module.exports = { token, refreshLock };
