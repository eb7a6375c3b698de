//! One recogniser for a secret-bearing NAME bound to a literal VALUE, whatever the syntax: shell and
//! `.env`, YAML, JSON, TOML, INI/properties, HCL, XML elements and attributes, code literals (typed
//! declarations, keyword arguments, map literals, setter calls), CLI flags, SQL and connection
//! strings. It runs at the keyword hits of the `generic-password` and `generic-secret` rules (their
//! keywords are the name words) and scores each value instead of filtering it.

use aho_corasick::{AhoCorasick, MatchKind};
use anyhow::{Context, Result};

use super::confidence::{Confidence, Scored};
use super::entropy::shannon_entropy;
use super::matcher::Match;
use super::naming::{NameKind, classify_name};
use super::rules::Rule;
use super::value::score_value;

/// Rule that reports values bound to password-like names.
pub const PASSWORD_RULE: &str = "generic-password";
/// Rule that reports values bound to secret, token, key and credential names.
pub const SECRET_RULE: &str = "generic-secret";

/// Longest name token looked at; longer runs are not variable names.
const MAX_NAME: usize = 80;
/// Longest value reported; longer literals are blobs, not credentials.
const MAX_VALUE: usize = 200;

/// Finds assignments at the name-word hits inside the assignment rules' windows.
#[derive(Debug)]
pub struct AssignmentRecogniser {
    automaton: AhoCorasick,
    password_rule: Option<usize>,
    secret_rule: Option<usize>,
}

/// Where an assignment's name and value are, and what the name says.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Assignment {
    /// The name token's byte range.
    pub name: (usize, usize),
    /// The value's byte range (without quotes).
    pub value: (usize, usize),
    /// Whether the value was a quoted literal.
    pub quoted: bool,
}

impl AssignmentRecogniser {
    /// Builds the recogniser over the keywords of the assignment rules in `rules`; `None` when
    /// neither rule is loaded (both disabled).
    pub fn new(rules: &[Rule]) -> Result<Option<Self>> {
        let index = |id: &str| rules.iter().position(|r| &*r.id == id);
        let (password_rule, secret_rule) = (index(PASSWORD_RULE), index(SECRET_RULE));
        let keywords: Vec<String> = [password_rule, secret_rule]
            .into_iter()
            .flatten()
            .flat_map(|i| rules[i].keywords.iter().map(|k| k.to_ascii_lowercase()))
            .collect();
        if keywords.is_empty() {
            return Ok(None);
        }
        let automaton = AhoCorasick::builder()
            .ascii_case_insensitive(true)
            .match_kind(MatchKind::LeftmostLongest)
            .build(&keywords)
            .context("cannot build the assignment-name automaton")?;
        Ok(Some(Self {
            automaton,
            password_rule,
            secret_rule,
        }))
    }

    /// Whether rule `idx` is matched by this recogniser rather than by its pattern.
    pub fn handles(&self, idx: usize) -> bool {
        Some(idx) == self.password_rule || Some(idx) == self.secret_rule
    }

    /// Pushes a match for every scored assignment found in `windows` (sorted, merged) of `data`.
    pub fn scan_windows(&self, data: &[u8], windows: &[(usize, usize)], out: &mut Vec<Match>) {
        for &(start, end) in windows {
            // Two words of one name (`secret` and `_key` in `secret_key`) find the same assignment.
            let mut done_until = start;
            for hit in self.automaton.find_iter(&data[start..end]) {
                let at = start + hit.start();
                if at < done_until {
                    continue;
                }
                if let Some((found, kind, score)) = recognise(data, at, start + hit.end()) {
                    done_until = found.value.1;
                    self.push(data, found, kind, score, out);
                }
            }
        }
    }

    fn push(
        &self,
        data: &[u8],
        found: Assignment,
        kind: NameKind,
        score: Scored,
        out: &mut Vec<Match>,
    ) {
        let rule = match kind {
            NameKind::Password => self.password_rule,
            NameKind::Secret | NameKind::Key | NameKind::Auth => self.secret_rule,
        };
        let Some(rule) = rule else { return };
        let secret = &data[found.value.0..found.value.1];
        out.push(Match {
            rule,
            start: found.value.0,
            end: found.value.1,
            line: 0,
            column: 0,
            end_line: 0,
            secret: secret.to_vec(),
            captures: Vec::new(),
            entropy: shannon_entropy(secret),
            checksum_valid: None,
            score,
            decoded: None,
        });
    }
}

/// Recognises the assignment whose name holds the keyword hit `hit_start..hit_end`, and scores it.
fn recognise(
    data: &[u8],
    hit_start: usize,
    hit_end: usize,
) -> Option<(Assignment, NameKind, Scored)> {
    let line_start = memchr::memrchr(b'\n', &data[..hit_start]).map_or(0, |p| p + 1);
    let line_end = memchr::memchr(b'\n', &data[hit_end..]).map_or(data.len(), |p| hit_end + p);
    let line = &data[line_start..line_end];
    let (hs, he) = (hit_start - line_start, hit_end - line_start);
    let hit = &line[hs..he];
    let found = if hit.eq_ignore_ascii_case(b"identified by") {
        sql_identified_by(line, he).map(|(v, quoted)| (v, quoted, (hs, he)))
    } else if hit.eq_ignore_ascii_case(b"mysql") {
        mysql_flag(line, he).map(|v| (v, false, (hs, he)))
    } else if hit.ends_with(b"(") {
        user_and_password_call(line, he).map(|v| (v, true, (hs, he)))
    } else {
        let (ns, ne) = name_token(line, hs, he)?;
        // Most keyword hits bind nothing (`tokens.next()`, `fn password(&self)`): the cheaper
        // syntax check runs before the name is split into words.
        let (value, quoted) = value_after_name(line, ns, ne)?;
        let name = classify_name(&line[ns..ne])?;
        let mut score = score_value(&line[value.0..value.1], name.kind, name.strong, quoted)?;
        if name.self_described {
            score.lower("test name");
        }
        lower_for_line(line, &mut score);
        return Some((
            Assignment {
                name: (line_start + ns, line_start + ne),
                value: (line_start + value.0, line_start + value.1),
                quoted,
            },
            name.kind,
            score,
        ));
    };
    let (value, quoted, name) = found?;
    let kind = NameKind::Password;
    let mut score = score_value(&line[value.0..value.1], kind, true, quoted)?;
    lower_for_line(line, &mut score);
    Some((
        Assignment {
            name: (line_start + name.0, line_start + name.1),
            value: (line_start + value.0, line_start + value.1),
            quoted,
        },
        kind,
        score,
    ))
}

/// Lowers an assignment on a comment line, or on a line that shows documentation's reserved
/// example hosts (`https://example.com/cb#access_token=..`): both describe rather than configure.
fn lower_for_line(line: &[u8], score: &mut Scored) {
    if is_comment(line) {
        score.lower("comment");
    }
    if [&b"example.com"[..], b"example.org", b"example.net"]
        .iter()
        .any(|host| memchr::memmem::find(line, host).is_some())
    {
        score.lower("example line");
    }
}

/// Whether the line is a comment (documentation, commented-out code), not live configuration.
fn is_comment(line: &[u8]) -> bool {
    let start = line.iter().take_while(|b| b.is_ascii_whitespace()).count();
    let text = &line[start..];
    (text.starts_with(b"#") && !text.starts_with(b"#define"))
        || [
            &b"//"[..],
            b"/*",
            b"* ",
            b"--",
            b"<!--",
            b";",
            b"REM ",
            b">>> ",
        ]
        .iter()
        .any(|p| text.starts_with(p))
}

/// Bytes that make up a variable, key or flag name.
fn is_name_byte(b: u8) -> bool {
    b.is_ascii_alphanumeric() || matches!(b, b'_' | b'-' | b'.')
}

/// The name token around the hit: `DB_PASSWORD`, `spring.datasource.password`, `--password`.
fn name_token(line: &[u8], hs: usize, he: usize) -> Option<(usize, usize)> {
    let mut ns = hs;
    while ns > 0 && is_name_byte(line[ns - 1]) && hs - ns < MAX_NAME {
        ns -= 1;
    }
    let mut ne = he;
    while ne < line.len() && is_name_byte(line[ne]) && ne - he < MAX_NAME {
        ne += 1;
    }
    // A name ends at a word, never at the dot of `password.length` or a trailing `-`.
    while ne > he && matches!(line[ne - 1], b'.' | b'-') {
        ne -= 1;
    }
    (ns < ne && (ns == 0 || !is_name_byte(line[ns - 1])) && !(ne < line.len() && line[ne] == b'.'))
        .then_some((ns, ne))
}

fn skip_spaces(line: &[u8], mut at: usize) -> usize {
    while at < line.len() && matches!(line[at], b' ' | b'\t') {
        at += 1;
    }
    at
}

fn is_quote(b: u8) -> bool {
    matches!(b, b'"' | b'\'' | b'`')
}

/// Finds the operator after the name and the value after it. Returns the value range and whether
/// it was quoted.
fn value_after_name(line: &[u8], ns: usize, ne: usize) -> Option<((usize, usize), bool)> {
    let before = |i: usize| ns.checked_sub(i).map(|p| line[p]);
    let mut at = ne;
    let mut name_quoted = false;
    // `"password": ..`, `'password' => ..`, `["password"] = ..`, `$cfg['smtp_pass'] = ..`.
    if at < line.len() && is_quote(line[at]) && before(1) == Some(line[at]) {
        name_quoted = true;
        at += 1;
    } else if line.get(at) == Some(&b'\\')
        && line
            .get(at + 1)
            .is_some_and(|&q| is_quote(q) && before(1) == Some(q))
        && before(2) == Some(b'\\')
    {
        // `{\"password\": \"..\"}`: JSON inside a string (notebook cells, escaped bodies).
        name_quoted = true;
        at += 2;
    }
    if at < line.len() && line[at] == b']' {
        at += 1;
    }
    // `<password>value</password>`: the element's text is the value.
    if before(1) == Some(b'<') && line.get(at) == Some(&b'>') {
        let start = at + 1;
        let len = memchr::memmem::find(&line[start..], b"</")?;
        return Some(((start, start + len), true));
    }
    let after_name = at;
    at = skip_spaces(line, at);
    let op = &line[at..line.len().min(at + 2)];
    let value_at = if op.starts_with(b":=") || op.starts_with(b"=>") || op.starts_with(b"?=") {
        at + 2
    } else if op.starts_with(b"==") || op.starts_with(b"=~") {
        return None;
    } else if op.starts_with(b"=") {
        at + 1
    } else if op.starts_with(b":") && !op.starts_with(b"::") {
        typed_declaration(line, at + 1).unwrap_or(at + 1)
    } else if op.starts_with(b",") && name_quoted && call_argument(line, ns) {
        // `props.put("password", "..")`, `setProperty("api_key", "..")`.
        at + 1
    } else if op.starts_with(b"(")
        && at == after_name
        && setter(line, ns, ne)
        && !verb(line, ns, ne)
    {
        // `conn.setPassword("..")`, `builder.password("..")`: only a quoted literal counts.
        return literal_at(line, skip_spaces(line, at + 1), false).filter(|&(_, quoted)| quoted);
    } else if name_quoted && line[at..].starts_with(b"value=") && attribute_key(line, ns) {
        // `<add key="DbPassword" value=".." />`.
        at + 6
    } else if at > after_name
        && (line[ns..].starts_with(b"--")
            || line.get(at) == Some(&b'\'')
            || dockerfile_env(line, ns))
    {
        // `--password value`, SQL's `PASSWORD 'value'` / `WITH PASSWORD 'value'`, and the
        // Dockerfile's `ENV ADMIN_PASSWORD value`.
        at
    } else if at > after_name {
        // Go's `var apiKey string = ".."`: one type word, then `=`.
        let type_end = at
            + line[at..]
                .iter()
                .take_while(|b| b.is_ascii_alphanumeric())
                .count();
        let eq = skip_spaces(line, type_end);
        (type_end > at && line.get(eq) == Some(&b'=') && line.get(eq + 1) != Some(&b'='))
            .then_some(eq + 1)?
    } else {
        return None;
    };
    // After `:` (YAML, and labels in prose: `Password: enter yours`) more words mean prose.
    let prose_possible = op.starts_with(b":") || value_at == at;
    literal_at(line, skip_spaces(line, value_at), prose_possible)
}

/// Whether the name at `ns` follows a Dockerfile `ENV` or `ARG` instruction.
fn dockerfile_env(line: &[u8], ns: usize) -> bool {
    let head = &line[..ns];
    let start = head.iter().take_while(|b| b.is_ascii_whitespace()).count();
    let head = &head[start..];
    head.len() > 3
        && (head[..3].eq_ignore_ascii_case(b"ENV") || head[..3].eq_ignore_ascii_case(b"ARG"))
        && head[3..].iter().all(|&b| b == b' ' || b == b'\t')
}

/// After the `:` of `apiKey: string = ".."` / `let key: &str = ".."`, the position after `=`.
fn typed_declaration(line: &[u8], colon_end: usize) -> Option<usize> {
    let start = skip_spaces(line, colon_end);
    let mut at = start;
    while at < line.len()
        && (line[at].is_ascii_alphanumeric()
            || matches!(
                line[at],
                b'_' | b'&' | b'\'' | b'<' | b'>' | b'[' | b']' | b'?' | b'*' | b'.' | b':'
            ))
    {
        // A quote right after the colon starts a value, not a type.
        if at == start && line[at] == b'\'' {
            return None;
        }
        at += 1;
    }
    let eq = skip_spaces(line, at);
    (at > start && line.get(eq) == Some(&b'=') && line.get(eq + 1) != Some(&b'=')).then_some(eq + 1)
}

/// Whether the name is a setter or builder method: `setPassword`, `set_api_key`, `.password`.
fn setter(line: &[u8], ns: usize, ne: usize) -> bool {
    let name = &line[ns..ne];
    let method = name
        .iter()
        .rposition(|&b| b == b'.')
        .map_or(name, |dot| &name[dot + 1..]);
    let called_on_something = name.contains(&b'.') || (ns > 0 && line[ns - 1] == b'.');
    method.len() > 3 && method[..3].eq_ignore_ascii_case(b"set") || called_on_something
}

/// Whether a called name ends in a word that is a verb or a function as a call (`base.pass(..)`,
/// `os.pwd()`), not a setter of a secret.
fn verb(line: &[u8], ns: usize, ne: usize) -> bool {
    let name = &line[ns..ne];
    let word = name
        .iter()
        .rposition(|&b| !b.is_ascii_alphanumeric())
        .map_or(name, |p| &name[p + 1..]);
    word.eq_ignore_ascii_case(b"pass") || word.eq_ignore_ascii_case(b"pwd")
}

/// Whether the quoted name at `ns` is the first argument of a call: `put("password", ..`.
fn call_argument(line: &[u8], ns: usize) -> bool {
    let open = ns.saturating_sub(1);
    line[..open]
        .iter()
        .rev()
        .find(|b| !matches!(b, b' ' | b'\t'))
        .is_some_and(|&b| b == b'(')
}

/// Whether the quoted name at `ns` is a `key="..."` or `name="..."` attribute.
fn attribute_key(line: &[u8], ns: usize) -> bool {
    let head = &line[..ns.saturating_sub(1)];
    head.ends_with(b"key=") || head.ends_with(b"name=") || head.ends_with(b"Key=")
}

/// The literal starting at `at`: quoted (to its closing quote on the line) or bare (to the next
/// separator). Bare values followed by more words are prose, not assignments.
fn literal_at(line: &[u8], at: usize, prose_possible: bool) -> Option<((usize, usize), bool)> {
    let mut at = at;
    // Python's b"..", r"..", f".."; C#'s @"..".
    if at + 1 < line.len()
        && matches!(line[at], b'b' | b'r' | b'f' | b'@' | b'u')
        && is_quote(line[at + 1])
    {
        at += 1;
    }
    let first = *line.get(at)?;
    if first == b'\\' && line.get(at + 1).copied().is_some_and(is_quote) {
        // `\"value\"` inside a string: ends at the next escaped quote of the same kind.
        let quote = [b'\\', line[at + 1]];
        let start = at + 2;
        let len = memchr::memmem::find(&line[start..], &quote)?;
        return (len <= MAX_VALUE).then_some(((start, start + len), true));
    }
    if is_quote(first) {
        let start = at + 1;
        let mut i = start;
        while i < line.len() && line[i] != first {
            if line[i] == b'\\' {
                i += 1;
            }
            i += 1;
        }
        if i >= line.len() || i - start > MAX_VALUE {
            return None;
        }
        return Some(((start, i), true));
    }
    if matches!(
        first,
        b'$' | b'%'
            | b'@'
            | b'{'
            | b'['
            | b'('
            | b'!'
            | b'&'
            | b'*'
            | b'|'
            | b'>'
            | b'<'
            | b'#'
            | b'\\'
    ) {
        return None;
    }
    let mut end = at;
    while end < line.len()
        && !matches!(
            line[end],
            b' ' | b'\t' | b'\r' | b';' | b'&' | b',' | b')' | b'}' | b']' | b'"' | b'\'' | b'`'
        )
        && !line[end..].starts_with(b"</")
    {
        end += 1;
    }
    if end == at || end - at > MAX_VALUE {
        return None;
    }
    let rest = skip_spaces(line, end);
    // `data_key = _mm512_xor_si512 (a, b)`: a call, whatever the spacing.
    if line.get(rest) == Some(&b'(') {
        return None;
    }
    let prose = prose_possible
        && rest < line.len()
        && rest > end
        && (line[rest].is_ascii_alphanumeric() || line[rest] == b'(');
    (!prose).then_some(((at, end), false))
}

/// `IDENTIFIED BY 'value'`, and Oracle's bare `IDENTIFIED BY value`: the value and whether it
/// was quoted.
fn sql_identified_by(line: &[u8], after: usize) -> Option<((usize, usize), bool)> {
    let at = skip_spaces(line, after);
    literal_at(line, at, false)
}

/// `conn.login('ops@corp.test', 'S3cret')`, `SetBasicAuth("u", "p")`, `auth=('u', 'p')`,
/// `new NetworkCredential("u", "p")`: a call whose first two arguments are a user name and a
/// password, both quoted literals (with variables there is nothing to report). The password's
/// range is returned.
fn user_and_password_call(line: &[u8], after_paren: usize) -> Option<(usize, usize)> {
    let ((us, ue), user_quoted) = literal_at(line, skip_spaces(line, after_paren), false)?;
    let user = &line[us..ue];
    // A user name is one short token; anything else is a message, a URL or a format string.
    if !user_quoted
        || user.is_empty()
        || user.len() > 64
        || !user.iter().all(|b| b.is_ascii_graphic())
        || user.contains(&b'/')
    {
        return None;
    }
    let comma = skip_spaces(line, ue + 1);
    if line.get(comma) != Some(&b',') {
        return None;
    }
    let (password, quoted) = literal_at(line, skip_spaces(line, comma + 1), false)?;
    quoted.then_some(password)
}

/// `mysql -u root -pS3cret db`: the password glued to `-p`.
fn mysql_flag(line: &[u8], after: usize) -> Option<(usize, usize)> {
    let flag = memchr::memmem::find(&line[after..], b" -p")? + after + 3;
    let end = flag
        + line[flag..]
            .iter()
            .take_while(|b| !b.is_ascii_whitespace() && !matches!(b, b';' | b'|' | b'&'))
            .count();
    let first = *line.get(flag)?;
    (end > flag && !matches!(first, b'-' | b'$' | b'"' | b'\'' | b'`')).then_some((flag, end))
}

/// Whether a recognised value is shown at the default confidence; for tests.
pub fn shown_by_default(score: &Scored) -> bool {
    score.confidence >= Confidence::Medium
}

#[cfg(test)]
mod tests {
    use super::*;

    fn found(line: &str) -> Option<(String, NameKind, Confidence)> {
        let data = line.as_bytes();
        let lower = line.to_ascii_lowercase();
        for word in [
            "identified by",
            "mysql",
            "pass",
            "pwd",
            "secret",
            "token",
            "_key",
            "apikey",
            "credential",
            "_auth",
            "accesskey",
            "privatekey",
            "secretkey",
            "login(",
            "basicauth(",
            "auth=(",
            "networkcredential(",
        ] {
            if let Some(at) = lower.find(word)
                && let Some((a, kind, score)) = recognise(data, at, at + word.len())
            {
                let value = String::from_utf8_lossy(&data[a.value.0..a.value.1]).into_owned();
                return Some((value, kind, score.confidence));
            }
        }
        None
    }

    fn value(line: &str) -> Option<String> {
        found(line).map(|f| f.0)
    }

    #[test]
    fn calls_taking_a_user_and_a_password_report_the_password() {
        let v = "Kq7#vR2!mZ9w";
        for line in [
            format!("    conn.login('ops@corp.test', '{v}', function(err) {{"),
            format!("server.login(\"alerts\", \"{v}\")"),
            format!("req.SetBasicAuth(\"deploy\", \"{v}\")"),
            format!("resp = requests.get(u, auth=('svc', '{v}'))"),
            format!("var c = new NetworkCredential(\"svc\", \"{v}\");"),
        ] {
            assert_eq!(value(&line).as_deref(), Some(v), "{line}");
        }
        for line in [
            "client.login(username, password)",
            "client.login('ops', pw)",
            "smtp.login(user, 'x')",
            "log.info('login(%s)', name)",
            "session.login('please sign in first', 'Kq7#vR2!mZ9w')",
        ] {
            assert_eq!(value(line), None, "{line}");
        }
    }

    #[test]
    fn every_syntax_binds_a_name_to_a_value() {
        let v = "Kq7#vR2!mZ9w";
        for line in [
            format!("export DB_PASSWORD={v}"),
            format!("DB_PASSWORD=\"{v}\""),
            format!("  password: {v}"),
            format!("  \"userPassword\": \"{v}\","),
            format!("password = \"{v}\""),
            format!("spring.datasource.password={v}"),
            format!("<password>{v}</password>"),
            format!("<db user=\"app\" password=\"{v}\"/>"),
            format!("<add key=\"DbPassword\" value=\"{v}\" />"),
            format!("const dbPassword: string = \"{v}\";"),
            format!("let db_pass: &str = \"{v}\";"),
            format!("var dbPassword string = \"{v}\""),
            format!("dbPassword := \"{v}\""),
            format!("String password = \"{v}\";"),
            format!("login(user=\"u\", password=\"{v}\")"),
            format!("$cfg['smtp_pass'] = '{v}';"),
            format!("'db_password' => '{v}',"),
            format!("props.put(\"password\", \"{v}\");"),
            format!("pg_dump --password={v} db"),
            format!("mysql -u root -p{v} shop"),
            format!("CREATE USER app IDENTIFIED BY '{v}';"),
            format!("ALTER ROLE app WITH PASSWORD '{v}';"),
            format!("Server=db;User Id=sa;Password={v};"),
        ] {
            assert_eq!(value(&line).as_deref(), Some(v), "{line}");
        }
    }

    #[test]
    fn references_labels_and_placeholders_are_not_values() {
        for line in [
            "password = request.form[\"password\"]",
            "DB_PASSWORD=${DB_PASSWORD}",
            "password: \"{{ .Values.password }}\"",
            "token = os.environ[\"TOKEN\"]",
            "\"Password\": \"Mot de passe\",",
            "\"password\": \"Passwort\",",
            "password_field = \"password\"",
            "<input type=\"password\" name=\"password\">",
            "<label for=\"password\">Password</label>",
            "API_KEY=your_api_key_here",
            "api_key: <token>",
            "secret: xxxxxxxxxxxxxxxx",
            "password: changeme",
            "password = get_password()",
            "if password == \"hunter2\":",
            "secretName: my-app-secret-v2",
            "password_hash = \"$2b$12$KIXQJq8tL0ZpQ1u3vW4xE.9fGhJkLmNoPqRsTuVwXyZ0123456789a\"",
            "\"integrity\": \"sha512-Zq8Lm3Nv7Tx2Ry9Kp4Hs6Wd1==\"",
            "Password: Enter your password",
            "token_url = \"https://example.org/oauth/token\"",
            "private_key_path = \"/etc/ssl/key.pem\"",
            "let token = self.token.clone();",
            "cd $(pwd)/build",
        ] {
            let f = found(line);
            assert!(
                f.as_ref().is_none_or(|f| f.2 == Confidence::Low),
                "{line}: {f:?}"
            );
        }
    }

    #[test]
    fn value_strength_and_name_decide_confidence() {
        let conf = |line: &str| found(line).map(|f| f.2);
        assert_eq!(
            conf("client_secret = \"Hq3nV9xTz2Lk8WbR5pYc7Dm1\""),
            Some(Confidence::High)
        );
        assert_eq!(
            conf("ENCRYPTION_KEY=9fXk2LmQ7vRt4ZpW8nBy3Hc6aLq0Ew5T"),
            Some(Confidence::High)
        );
        assert_eq!(conf("DB_PASSWORD=hunter2"), Some(Confidence::Medium));
        assert_eq!(conf("password: \"admin123\""), Some(Confidence::Medium));
        assert_eq!(conf("password: \"postgres\""), Some(Confidence::Low));
        assert_eq!(conf("test_password = \"hunter2\""), Some(Confidence::Low));
        assert_eq!(
            conf("\"id\": 1, \"secret\": \"550e8400-e29b-41d4-a716-446655440000\""),
            Some(Confidence::Low)
        );
        assert_eq!(conf("sort_key = \"created_at\""), None);
    }
}
