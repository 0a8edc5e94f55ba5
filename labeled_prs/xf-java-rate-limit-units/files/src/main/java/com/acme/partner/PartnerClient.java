package com.acme.partner;

import com.acme.limits.RateLimiter;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;

public class PartnerClient {
    private final HttpClient http = HttpClient.newHttpClient();
    private final PartnerConfig config;
    private final RateLimiter limiter;

    public PartnerClient(PartnerConfig config) {
        this.config = config;
        this.limiter = new RateLimiter(config.requestsPerSecond());
    }

    public String fetch(String path) throws Exception {
        if (!limiter.tryAcquire()) {
            throw new IllegalStateException("partner rate limit reached");
        }
        HttpRequest request = HttpRequest.newBuilder(URI.create(config.baseUrl() + path)).build();
        return http.send(request, HttpResponse.BodyHandlers.ofString()).body();
    }
}
