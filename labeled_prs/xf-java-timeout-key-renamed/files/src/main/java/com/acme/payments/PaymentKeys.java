package com.acme.payments;

public final class PaymentKeys {
    public static final String TIMEOUT_MS = "payment.timeout-ms";
    public static final String ENDPOINT = "payment.endpoint";

    private PaymentKeys() {}
}
