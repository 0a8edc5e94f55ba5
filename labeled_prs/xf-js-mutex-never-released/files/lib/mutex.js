'use strict';

class Mutex {
  constructor() {
    this.last = Promise.resolve();
  }

  // Resolves to a release function; the next waiter runs only after it is called.
  acquire() {
    let release;
    const next = new Promise((resolve) => {
      release = resolve;
    });
    const ready = this.last.then(() => release);
    this.last = this.last.then(() => next);
    return ready;
  }
}

module.exports = { Mutex };
