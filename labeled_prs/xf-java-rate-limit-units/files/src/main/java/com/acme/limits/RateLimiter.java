package com.acme.limits;

public class RateLimiter {
    private final int permitsPerMinute;
    private int used;
    private long windowStart = System.currentTimeMillis();

    /** @param permitsPerMinute how many calls are allowed in any one minute */
    public RateLimiter(int permitsPerMinute) {
        this.permitsPerMinute = permitsPerMinute;
    }

    public synchronized boolean tryAcquire() {
        long now = System.currentTimeMillis();
        if (now - windowStart >= 60_000) {
            windowStart = now;
            used = 0;
        }
        if (used >= permitsPerMinute) {
            return false;
        }
        used++;
        return true;
    }
}
