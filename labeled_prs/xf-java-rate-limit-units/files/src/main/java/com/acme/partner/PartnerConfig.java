package com.acme.partner;

public record PartnerConfig(String baseUrl, int requestsPerSecond) {
    public static PartnerConfig defaults() {
        return new PartnerConfig("https://partner.example/api", 20);
    }
}
