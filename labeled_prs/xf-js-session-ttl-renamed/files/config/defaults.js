'use strict';

module.exports = {
  port: 8080,
  sessionTtlSeconds: 3600,
  cookieName: 'sid',
  trustProxy: false,
};
