package com.acme.users;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

public class UserRepository {
    private final Map<String, User> byEmail = new ConcurrentHashMap<>();

    public void save(User user) {
        byEmail.put(user.email().toLowerCase(), user);
    }

    /** The user with this address, or null when there is none. */
    public User findByEmail(String email) {
        return byEmail.get(email.toLowerCase());
    }
}
