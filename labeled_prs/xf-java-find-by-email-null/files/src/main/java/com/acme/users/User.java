package com.acme.users;

public record User(long id, String email, String passwordHash, boolean locked) {}
