package com.shop;

import java.util.Properties;

import org.springframework.beans.factory.annotation.Value;

public class MailConfig {
    private static final String SMTP_PASSWORD = "UgVW0gi^7JAS";
    private static final String PASSWORD_PARAM = "password";

    @Value("${db.password}")
    private String password;

    Properties mailProperties() {
        Properties props = new Properties();
        props.put("mail.smtp.password", "AUuK3HF@T61x");
        props.setProperty("mail.smtp.auth", "true");
        props.put("mail.smtp.user", "alerts");
        return props;
    }

    void configure(DataSource ds, Request request) {
        ds.setPassword("6wUguzCAw@nU");
        ds.setPassword(password);
        String token = request.getHeader("X-Auth-Token");
    }
}
