'use strict';

const defaults = require('./defaults');

function loadConfig(env = process.env) {
  const config = { ...defaults };
  if (env.PORT) {
    config.port = Number(env.PORT);
  }
  return config;
}

module.exports = { loadConfig };
