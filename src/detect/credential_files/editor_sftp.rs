//! Editor upload configs, all JSON (Sublime's with comments): VS Code's `.vscode/sftp.json` and
//! `ftp-sync.json`, `.remote-sync.json`, Sublime SFTP's `sftp-config.json`, Atom's `.ftpconfig`.
//! `password`, `pass` and the key `passphrase` are credentials.

use super::Field;
use super::json::string_pairs;

const RULE: &str = "vscode-sftp-password";

/// Reads the stored passwords and passphrases.
pub fn read(data: &[u8], out: &mut Vec<Field>) {
    string_pairs(data, |pair| {
        if matches!(pair.key, b"password" | b"pass" | b"passphrase") {
            out.push(Field::with_secret(RULE, pair.span, pair.value));
        }
    });
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn password_and_passphrase_keys() {
        let data = br#"{
    // sftp and ftp settings
    "host": "ftp.example.com", "username": "web", "password": "Lq8#mZ2x",
    "privateKeyPath": "~/.ssh/id_ed25519", "passphrase": "",
}"#;
        let mut out = Vec::new();
        read(data, &mut out);
        let got: Vec<&[u8]> = out.iter().map(|f| &f.secret[..]).collect();
        assert_eq!(got, vec![&b"Lq8#mZ2x"[..], b""]);
    }
}
