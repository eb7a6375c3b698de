//! INI-style credential files, one reader each over a shared `[section]` / `key = value` lexer:
//! `.pypirc`, AWS `credentials`/`config`, MySQL option files, `.s3cfg` and `WinSCP.ini`.

use super::Field;
use super::text::{Span, is_comment, key_value, lines, section, trim, unquote};

/// How one INI dialect is written.
struct Dialect {
    /// Characters that start a comment line.
    comments: &'static [u8],
    /// Whether ` #` after an unquoted value starts a comment (MySQL's option files).
    inline_hash_comments: bool,
}

/// Calls `each(section, key, value span)` for every key of the file, values unquoted.
fn for_each_key(data: &[u8], dialect: &Dialect, mut each: impl FnMut(&[u8], &[u8], Span)) {
    let mut current: &[u8] = b"";
    for (start, line) in lines(data) {
        if is_comment(line, dialect.comments) {
            continue;
        }
        if let Some(name) = section(line) {
            current = name;
            continue;
        }
        let Some((key, mut value)) = key_value(line, start, b"=:") else {
            continue;
        };
        if dialect.inline_hash_comments
            && !matches!(data.get(value.0), Some(b'"' | b'\''))
            && let Some(hash) = data[value.0..value.1]
                .windows(2)
                .position(|w| w[0].is_ascii_whitespace() && w[1] == b'#')
        {
            value = trim(data, (value.0, value.0 + hash));
        }
        each(current, &data[key.0..key.1], unquote(data, value));
    }
}

const PLAIN: Dialect = Dialect {
    comments: b"#;",
    inline_hash_comments: false,
};

/// Reads a key list `keys` (ASCII case-insensitive) of any section as fields of `rule`.
fn read_keys(
    data: &[u8],
    dialect: &Dialect,
    rule: &'static str,
    keys: &[&str],
    out: &mut Vec<Field>,
) {
    for_each_key(data, dialect, |_, key, span| {
        if keys.iter().any(|k| key.eq_ignore_ascii_case(k.as_bytes())) {
            out.push(Field::raw(rule, data, span));
        }
    });
}

/// `.pypirc`: the `password` of each index server section.
pub fn read_pypirc(data: &[u8], out: &mut Vec<Field>) {
    read_keys(data, &PLAIN, "pypi-pypirc-password", &["password"], out);
}

/// AWS `credentials` and `config`: secret keys and session tokens of every profile.
pub fn read_aws(data: &[u8], out: &mut Vec<Field>) {
    let keys = [
        "aws_secret_access_key",
        "aws_session_token",
        "aws_security_token",
    ];
    read_keys(data, &PLAIN, "aws-credentials-file", &keys, out);
}

/// `.my.cnf`, `my.cnf`, `debian.cnf`, `my.ini`: the password options of any option group.
pub fn read_mysql(data: &[u8], out: &mut Vec<Field>) {
    let mysql = Dialect {
        comments: b"#;",
        inline_hash_comments: true,
    };
    let keys = ["password", "password1", "password2", "password3", "pass"];
    read_keys(data, &mysql, "mysql-cnf-password", &keys, out);
}

/// `.s3cfg`: s3cmd's secret key, session token and encryption passphrase.
pub fn read_s3cfg(data: &[u8], out: &mut Vec<Field>) {
    let keys = ["secret_key", "access_token", "gpg_passphrase"];
    read_keys(data, &PLAIN, "s3cfg-secret", &keys, out);
}

/// `WinSCP.ini`: the (reversibly scrambled) passwords of stored sessions.
pub fn read_winscp(data: &[u8], out: &mut Vec<Field>) {
    for_each_key(data, &PLAIN, |section, key, span| {
        let session = section.len() >= 9 && section[..9].eq_ignore_ascii_case(b"sessions\\");
        let password = ["Password", "ProxyPassword", "TunnelPassword"]
            .iter()
            .any(|k| key.eq_ignore_ascii_case(k.as_bytes()));
        if session && password {
            out.push(Field::raw("winscp-password", data, span));
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
    fn pypirc_passwords_per_server() {
        let data = b"[distutils]\nindex-servers = pypi private\n\n[private]\nrepository: https://pkgs.example.com\nusername: deploy\npassword: Wd8#kLq2\n";
        assert_eq!(secrets(read_pypirc, data), ["Wd8#kLq2"]);
    }

    #[test]
    fn aws_profiles_secret_keys_and_session_tokens() {
        let data = b"[default]\naws_access_key_id = AKIAEXAMPLEID\naws_secret_access_key = k9Zp\n[profile ci]\nAWS_SESSION_TOKEN=\"tok\"\n";
        assert_eq!(secrets(read_aws, data), ["k9Zp", "tok"]);
    }

    #[test]
    fn mysql_option_groups_with_inline_comments_and_quotes() {
        let data = b"[client]\nuser=backup\npassword=Qx7pL2 # rotated monthly\n[mysqldump]\npassword=\"a #b\"\n";
        assert_eq!(secrets(read_mysql, data), ["Qx7pL2", "a #b"]);
    }

    #[test]
    fn s3cfg_secret_key_and_passphrase() {
        let data = b"[default]\naccess_key = AKIAEXAMPLE\nsecret_key = s3kr3t/Value\ngpg_passphrase = Pp9!\nhost_base = s3.amazonaws.com\n";
        assert_eq!(secrets(read_s3cfg, data), ["s3kr3t/Value", "Pp9!"]);
    }

    #[test]
    fn winscp_session_passwords_only() {
        let data = b"[Configuration\\Interface]\nPassword=NotASession\n[Sessions\\deploy@web]\nHostName=web\nUserName=deploy\nPassword=A35C435B9556\n";
        assert_eq!(secrets(read_winscp, data), ["A35C435B9556"]);
    }
}
