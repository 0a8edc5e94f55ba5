package com.acme.payments;

import java.util.Properties;

public record PaymentSettings(String endpoint, int timeoutMs) {
    public static PaymentSettings from(Properties props) {
        String endpoint = props.getProperty(PaymentKeys.ENDPOINT);
        int timeout = Integer.parseInt(props.getProperty(PaymentKeys.TIMEOUT_MS, "30000"));
        return new PaymentSettings(endpoint, timeout);
    }
}
