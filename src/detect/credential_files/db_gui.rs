//! Database GUI connection files: DBeaver (`data-sources*.json`, the older XML), Robo 3T /
//! Robomongo (`robo3t.json`), JetBrains IDEs (`dataSources.xml`, `dataSources.local.xml`,
//! `webServers.xml`, whose passwords are stored reversibly scrambled).

use super::Field;
use super::json::string_pairs;
use super::xml::{attributes, elements, unescape};

/// DBeaver: `"password"` in a connection's configuration, or `password="..."` in the XML.
pub fn read_dbeaver(data: &[u8], out: &mut Vec<Field>) {
    const RULE: &str = "dbeaver-password";
    if data.trim_ascii_start().starts_with(b"<") {
        xml_password_attributes(RULE, data, out);
        return;
    }
    string_pairs(data, |pair| {
        if pair.key == b"password" {
            out.push(Field::with_secret(RULE, pair.span, pair.value));
        }
    });
}

/// Robo 3T: each connection's `userPassword` and SSH tunnel's password and passphrase.
pub fn read_robomongo(data: &[u8], out: &mut Vec<Field>) {
    string_pairs(data, |pair| {
        if matches!(
            pair.key,
            b"userPassword" | b"sshUserPassword" | b"sshPassphrase"
        ) {
            out.push(Field::with_secret(
                "robomongo-password",
                pair.span,
                pair.value,
            ));
        }
    });
}

/// JetBrains: `<user-password>` / `<password>` elements and `password="..."` attributes.
pub fn read_jetbrains(data: &[u8], out: &mut Vec<Field>) {
    const RULE: &str = "jetbrains-datasource-password";
    for name in [&b"user-password"[..], b"password"] {
        elements(data, name, |_, span| {
            out.push(Field::with_secret(
                RULE,
                span,
                unescape(&data[span.0..span.1]),
            ));
        });
    }
    xml_password_attributes(RULE, data, out);
    out.sort_by_key(|f| f.span);
}

fn xml_password_attributes(rule: &'static str, data: &[u8], out: &mut Vec<Field>) {
    attributes(data, |name, span| {
        if name.eq_ignore_ascii_case(b"password") {
            out.push(Field::with_secret(
                rule,
                span,
                unescape(&data[span.0..span.1]),
            ));
        }
    });
}

#[cfg(test)]
mod tests {
    use super::*;

    fn secrets(read: fn(&[u8], &mut Vec<Field>), data: &[u8]) -> Vec<String> {
        let mut out = Vec::new();
        read(data, &mut out);
        out.iter()
            .map(|f| String::from_utf8_lossy(&f.secret).into_owned())
            .collect()
    }

    #[test]
    fn dbeaver_json_and_xml() {
        let json = br#"{"connections": {"postgres-1": {"configuration": {"host": "db", "user": "app", "password": "Kq8#zL2m"}}}}"#;
        assert_eq!(secrets(read_dbeaver, json), ["Kq8#zL2m"]);
        let xml = br#"<data-sources><data-source id="x"><connection host="db" user="sa" password="Zt7!kQ2" /></data-source></data-sources>"#;
        assert_eq!(secrets(read_dbeaver, xml), ["Zt7!kQ2"]);
    }

    #[test]
    fn robomongo_connection_and_tunnel_passwords() {
        let json = br#"{"connections": [{"credentials": [{"userName": "admin", "userPassword": "Mg7#pQ2x"}], "ssh": {"sshUserPassword": "", "sshPassphrase": "Ss9!"}}]}"#;
        assert_eq!(secrets(read_robomongo, json), ["Mg7#pQ2x", "", "Ss9!"]);
    }

    #[test]
    fn jetbrains_elements_and_attributes_in_order() {
        let xml = br#"<component name="DataSourceManagerImpl"><data-source name="db"><user-name>sa</user-name><user-password>dfc2dfc0</user-password></data-source></component>
<webServer><fileTransfer host="h" port="21" password="dfd9dfce" /></webServer>"#;
        assert_eq!(secrets(read_jetbrains, xml), ["dfc2dfc0", "dfd9dfce"]);
    }
}
