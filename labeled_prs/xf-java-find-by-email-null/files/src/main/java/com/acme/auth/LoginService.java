package com.acme.auth;

import com.acme.users.User;
import com.acme.users.UserRepository;

public class LoginService {
    private final UserRepository users;
    private final PasswordHasher hasher;

    public LoginService(UserRepository users, PasswordHasher hasher) {
        this.users = users;
        this.hasher = hasher;
    }

    public boolean login(String email, String password) {
        User user = users.findByEmail(email);
        return !user.locked() && hasher.matches(password, user.passwordHash());
    }
}
