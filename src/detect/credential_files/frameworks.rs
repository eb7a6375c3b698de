//! Application secrets whose place the framework fixes: WordPress `wp-config.php` (`DB_PASSWORD`
//! and the authentication keys and salts), Django's `SECRET_KEY`, Rails' `master.key` and
//! `secret_key_base`, Laravel's `APP_KEY` in `.env`.

use super::Field;
use super::text::{Span, is_comment, key_value, lines, trim, unquote, yaml_pairs};

/// The WordPress salts `wp-config.php` defines (https://api.wordpress.org/secret-key/1.1/salt/).
const WP_SALTS: &[&[u8]] = &[
    b"AUTH_KEY",
    b"SECURE_AUTH_KEY",
    b"LOGGED_IN_KEY",
    b"NONCE_KEY",
    b"AUTH_SALT",
    b"SECURE_AUTH_SALT",
    b"LOGGED_IN_SALT",
    b"NONCE_SALT",
];

/// `define( 'NAME', 'value' );` with literal strings: the database password and the salts.
pub fn read_wp_config(data: &[u8], out: &mut Vec<Field>) {
    for at in memchr::memmem::find_iter(data, b"define") {
        let mut cur = Cursor { data, at: at + 6 };
        if !cur.eat(b'(') {
            continue;
        }
        let Some((name, _)) = cur.php_string() else {
            continue;
        };
        if !cur.eat(b',') {
            continue;
        }
        let Some((span, value)) = cur.php_string() else {
            continue; // getenv(), a constant: not a literal
        };
        let name = &data[name.0..name.1];
        let rule = if name == b"DB_PASSWORD" {
            "wordpress-db-password"
        } else if WP_SALTS.contains(&name) {
            "wordpress-auth-keys-salts"
        } else {
            continue;
        };
        // The sample file's stand-in for every salt.
        if value.eq_ignore_ascii_case(b"put your unique phrase here") {
            continue;
        }
        out.push(Field::with_secret(rule, span, value));
    }
}

/// `SECRET_KEY = '...'` (or `"..."`, `r'...'`) assigned a literal in a settings module.
pub fn read_django(data: &[u8], out: &mut Vec<Field>) {
    for (start, line) in lines(data) {
        let body = line.trim_ascii_start();
        let Some(rest) = body.strip_prefix(b"SECRET_KEY") else {
            continue;
        };
        if !rest.trim_ascii_start().starts_with(b"=") {
            continue;
        }
        let eq =
            start + (line.len() - body.len()) + 10 + (rest.len() - rest.trim_ascii_start().len());
        let mut cur = Cursor { data, at: eq + 1 };
        cur.skip_blank();
        if matches!(data.get(cur.at), Some(b'r' | b'b' | b'u')) {
            cur.at += 1;
        }
        if let Some((span, value)) = cur.quoted_string() {
            out.push(Field::with_secret("django-secret-key", span, value));
        }
    }
}

/// `config/master.key`, `config/credentials/*.key`: the file is the key.
pub fn read_rails_key(data: &[u8], out: &mut Vec<Field>) {
    let span = trim(data, (0, data.len()));
    let key = &data[span.0..span.1];
    if !key.is_empty() && key.iter().all(u8::is_ascii_alphanumeric) {
        out.push(Field::raw("rails-master-key", data, span));
    }
}

/// `config/secrets.yml`: every environment's `secret_key_base`.
pub fn read_rails_secrets(data: &[u8], out: &mut Vec<Field>) {
    yaml_pairs(data, |key, span| {
        if key == b"secret_key_base" {
            out.push(Field::raw("rails-secret-key-base", data, span));
        }
    });
}

/// `.env`: Laravel's `APP_KEY` (the other variables are the generic recogniser's).
pub fn read_laravel_env(data: &[u8], out: &mut Vec<Field>) {
    for (start, line) in lines(data) {
        if is_comment(line, b"#") {
            continue;
        }
        let Some((key, value)) = key_value(line, start, b"=") else {
            continue;
        };
        let key = &data[key.0..key.1];
        let key = key.strip_prefix(b"export ").unwrap_or(key).trim_ascii();
        if key == b"APP_KEY" {
            out.push(Field::raw("laravel-app-key", data, unquote(data, value)));
        }
    }
}

/// A position in a source file, for reading literals.
struct Cursor<'a> {
    data: &'a [u8],
    at: usize,
}

impl Cursor<'_> {
    fn skip_blank(&mut self) {
        while self.at < self.data.len() && self.data[self.at].is_ascii_whitespace() {
            self.at += 1;
        }
    }

    /// Skips blanks, then `b` if it is next.
    fn eat(&mut self, b: u8) -> bool {
        self.skip_blank();
        let found = self.data.get(self.at) == Some(&b);
        if found {
            self.at += 1;
        }
        found
    }

    /// A PHP string literal after blanks: its body's span and its value.
    fn php_string(&mut self) -> Option<(Span, Vec<u8>)> {
        self.skip_blank();
        self.quoted_string()
    }

    /// A `'...'` or `"..."` literal on one line starting here: body span and backslash-unescaped
    /// value.
    fn quoted_string(&mut self) -> Option<(Span, Vec<u8>)> {
        let quote = *self
            .data
            .get(self.at)
            .filter(|q| matches!(q, b'\'' | b'"'))?;
        let start = self.at + 1;
        let mut i = start;
        let mut value = Vec::new();
        while i < self.data.len() {
            match self.data[i] {
                b'\\' if i + 1 < self.data.len() => {
                    value.push(self.data[i + 1]);
                    i += 2;
                }
                b'\n' => return None,
                b if b == quote => {
                    self.at = i + 1;
                    return Some(((start, i), value));
                }
                b => {
                    value.push(b);
                    i += 1;
                }
            }
        }
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn secrets(read: fn(&[u8], &mut Vec<Field>), data: &[u8]) -> Vec<(&'static str, String)> {
        let mut out = Vec::new();
        read(data, &mut out);
        out.iter()
            .map(|f| (f.rule, String::from_utf8_lossy(&f.secret).into_owned()))
            .collect()
    }

    #[test]
    fn wp_config_password_and_salts_but_not_getenv_or_the_sample_phrase() {
        let data = b"define( 'DB_USER', 'wp' );\ndefine( 'DB_PASSWORD', 'Wp8#k\\'Lq2' );\n\
            define('AUTH_KEY', 'put your unique phrase here');\ndefine('NONCE_SALT', \"a:Z9|q\");\n\
            define( 'DB_PASSWORD', getenv('WP_DB_PASS') );\n";
        assert_eq!(
            secrets(read_wp_config, data),
            [
                ("wordpress-db-password", "Wp8#k'Lq2".to_string()),
                ("wordpress-auth-keys-salts", "a:Z9|q".to_string())
            ]
        );
    }

    #[test]
    fn django_literal_secret_key_only() {
        let data = b"SECRET_KEY = 'dj4#q(x)z'\nSECRET_KEY = os.environ['SECRET_KEY']\n    SECRET_KEY=r\"k2\"\nSECRET_KEY_FALLBACKS = ['old']\n";
        let got: Vec<String> = secrets(read_django, data)
            .into_iter()
            .map(|s| s.1)
            .collect();
        assert_eq!(got, ["dj4#q(x)z", "k2"]);
    }

    #[test]
    fn rails_master_key_and_secret_key_base() {
        assert_eq!(
            secrets(read_rails_key, b"9f1c2b7e4a6d8c0e3b5a7f9d1c3e5a7b\n"),
            [(
                "rails-master-key",
                "9f1c2b7e4a6d8c0e3b5a7f9d1c3e5a7b".to_string()
            )]
        );
        let yml = b"production:\n  secret_key_base: <%= ENV[\"SECRET_KEY_BASE\"] %>\ndevelopment:\n  secret_key_base: 3b7f\n";
        let got: Vec<String> = secrets(read_rails_secrets, yml)
            .into_iter()
            .map(|s| s.1)
            .collect();
        assert_eq!(got, ["<%= ENV[\"SECRET_KEY_BASE\"] %>", "3b7f"]);
    }

    #[test]
    fn laravel_app_key() {
        let data =
            b"APP_NAME=Shop\nAPP_KEY=\"base64:Zm9vYmFy\"\n# APP_KEY=base64:old\nexport APP_KEY=\n";
        let got: Vec<String> = secrets(read_laravel_env, data)
            .into_iter()
            .map(|s| s.1)
            .collect();
        assert_eq!(got, ["base64:Zm9vYmFy", ""]);
    }
}
