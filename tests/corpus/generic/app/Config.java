package com.acme.billing;

public class Config {
    private static final String PASSWORD_PROPERTY = "db.password";
    private String apiKey = "Tz4Qm9Lw2Vx7Kb3Nr8Pd5Hs1";

    void configure(java.util.Properties props) {
        props.put("password", "Mx5!vB8#qL2w");
        props.setProperty("user", "billing");
        String password = props.getProperty(PASSWORD_PROPERTY);
    }
}
