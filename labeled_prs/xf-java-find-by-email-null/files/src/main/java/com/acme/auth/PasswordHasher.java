package com.acme.auth;

public interface PasswordHasher {
    boolean matches(String password, String hash);
}
