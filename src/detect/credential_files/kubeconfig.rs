//! kubeconfig (`~/.kube/config`, `*.kubeconfig`): a user's `token`, `password`, base64
//! `client-key-data`, and an auth provider's `client-secret`, `id-token` and `refresh-token`.

use super::Field;
use super::text::yaml_pairs;

const RULE: &str = "kubeconfig-credential";
const KEYS: &[&[u8]] = &[
    b"token",
    b"password",
    b"client-key-data",
    b"client-secret",
    b"id-token",
    b"refresh-token",
];

/// Reads the user credentials.
pub fn read(data: &[u8], out: &mut Vec<Field>) {
    yaml_pairs(data, |key, span| {
        if KEYS.contains(&key) {
            out.push(Field::raw(RULE, data, span));
        }
    });
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn user_credentials_in_yaml_lists() {
        let data = b"users:\n- name: admin\n  user:\n    client-certificate-data: LS0tQ0VSVA==\n    client-key-data: LS0tS0VZ\n- name: ci\n  user:\n    token: \"eyJhbGciOiJSUzI1NiJ9.e30.c2ln\"\n- name: basic\n  user: {username: admin, password: x}\n";
        let mut out = Vec::new();
        read(data, &mut out);
        let got: Vec<&[u8]> = out.iter().map(|f| &f.secret[..]).collect();
        assert_eq!(
            got,
            vec![&b"LS0tS0VZ"[..], b"eyJhbGciOiJSUzI1NiJ9.e30.c2ln"]
        );
    }
}
