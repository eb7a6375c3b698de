package com.example.billing;

public final class Client {
    private static final String GITLAB_TOKEN = "glpat-UQKie9mUfJthl2FfsSgw";
    private static final String SERVICE_SECRET = "snc1OAPZnod6tHqlqMfjB0tkgqXoa72G";
}
