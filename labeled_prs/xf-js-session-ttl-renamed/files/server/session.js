'use strict';

const crypto = require('crypto');

function createSessionStore(config) {
  const sessions = new Map();
  return {
    create(userId) {
      const id = crypto.randomBytes(24).toString('hex');
      const expiresAt = Date.now() + config.sessionTtl * 1000;
      sessions.set(id, { userId, expiresAt });
      return id;
    },
    get(id) {
      const session = sessions.get(id);
      if (!session || session.expiresAt < Date.now()) {
        sessions.delete(id);
        return null;
      }
      return session;
    },
  };
}

module.exports = { createSessionStore };
