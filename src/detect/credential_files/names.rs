//! Which credential-store format a file is, from its path alone: the one check every blob pays, so
//! it looks only at the last path component (and its parent for names like `.aws/credentials`) and
//! allocates nothing.
//!
//! Unix tools open their dotfiles by exact name, so those compare case-sensitively; files written
//! by Windows programs (FileZilla, WinSCP, `_netrc`, `pgpass.conf`, `my.ini`) compare ignoring
//! ASCII case, as Windows opens them.

/// A credential-store file format with its own reader.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Format {
    /// `.netrc`, `_netrc`: `machine .. login .. password ..`.
    Netrc,
    /// `.pgpass`, `pgpass.conf`: `host:port:db:user:password`.
    Pgpass,
    /// `.git-credentials`, `git/credentials`: one URL with userinfo a line.
    GitCredentials,
    /// `.npmrc`: `_auth`, `_authToken`, `_password`, scoped to a registry or not.
    Npmrc,
    /// `.pypirc`: `password` in an index server's section.
    Pypirc,
    /// `.docker/config.json`, `.dockercfg`, `.dockerconfigjson`: `auth` (base64 user:password),
    /// identity and registry tokens.
    DockerConfig,
    /// `.aws/credentials`, `.aws/config`.
    Aws,
    /// `.kube/config`, `kubeconfig`, `*.kubeconfig`.
    Kubeconfig,
    /// `.my.cnf`, `my.cnf`, `debian.cnf`, `my.ini`: `password` in an option group.
    MysqlCnf,
    /// `.s3cfg`: s3cmd's `secret_key`, `access_token`, `gpg_passphrase`.
    S3cfg,
    /// `.msmtprc`, `msmtprc`, `.esmtprc`: `password` of an account or identity.
    Msmtp,
    /// FileZilla `sitemanager.xml`, `recentservers.xml`, `filezilla.xml`: `<Pass>`.
    FileZilla,
    /// `WinSCP.ini`: `Password`, `ProxyPassword`, `TunnelPassword` of a stored session.
    WinScp,
    /// Editor upload configs: VS Code `.vscode/sftp.json`, `ftp-sync.json`, `.remote-sync.json`,
    /// Sublime `sftp-config.json`, Atom `.ftpconfig`.
    EditorSftp,
    /// DBeaver `data-sources*.json` and the older `.dbeaver-data-sources*.xml`.
    Dbeaver,
    /// Robo 3T / Robomongo `robo3t.json`, `robomongo.json`.
    Robomongo,
    /// JetBrains `dataSources.xml`, `dataSources.local.xml`, `webServers.xml`.
    JetBrains,
    /// WordPress `wp-config.php`: `DB_PASSWORD` and the authentication keys and salts.
    WpConfig,
    /// Django settings modules: `SECRET_KEY`.
    DjangoSettings,
    /// Rails `config/master.key` and `config/credentials/*.key`.
    RailsKey,
    /// Rails `config/secrets.yml`: `secret_key_base`.
    RailsSecrets,
    /// `.env` files: Laravel's `APP_KEY`.
    DotEnv,
    /// `/etc/shadow`: the hash field.
    Shadow,
    /// Firefox `logins.json`: `encryptedPassword`, which the profile's `key4.db` opens.
    FirefoxLogins,
    /// `.htpasswd`: `user:hash`.
    Htpasswd,
    /// SQL dumps and database seed files: password hashes in crypt formats.
    HashDump,
}

impl Format {
    /// Whether the reader understands every credential the format can hold, so that generic
    /// guesses elsewhere in the file (an attribute `encoding="base64"`, an access key id) are
    /// noise. Formats that are code or free-form config (`.env`, settings modules,
    /// `wp-config.php`, `secrets.yml`, dumps) keep the generic recogniser's findings.
    pub fn read_fully(self) -> bool {
        !matches!(
            self,
            Format::DotEnv
                | Format::DjangoSettings
                | Format::WpConfig
                | Format::RailsSecrets
                | Format::HashDump
        )
    }
}

/// A recognised credential-store file.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct CredentialFile {
    /// Its format.
    pub format: Format,
    /// Named as a template to copy (`.env.example`, `wp-config-sample.php`): its values are more
    /// often stand-ins, so its findings rank one step lower.
    pub example: bool,
}

/// The credential-store file `path` names, if any. `/`, `\` and `!` (archive members) all
/// separate path components.
pub fn recognise(path: &[u8]) -> Option<CredentialFile> {
    let is_sep = |b: &u8| matches!(b, b'/' | b'\\' | b'!');
    let cut = path.iter().rposition(is_sep);
    let name = cut.map_or(path, |i| &path[i + 1..]);
    // Every recognised name is at least 4 bytes long and at most a few dozen; most blobs stop here.
    if name.len() < 4 || name.len() > 64 {
        return None;
    }
    let parent = cut.map_or(&b""[..], |i| {
        let dir = &path[..i];
        let start = dir.iter().rposition(is_sep).map_or(0, |j| j + 1);
        &dir[start..]
    });
    let found = |format| {
        Some(CredentialFile {
            format,
            example: false,
        })
    };
    let ci = |a: &[u8]| name.eq_ignore_ascii_case(a);
    match name {
        b".netrc" => return found(Format::Netrc),
        b".pgpass" => return found(Format::Pgpass),
        b".git-credentials" => return found(Format::GitCredentials),
        b".npmrc" | b"npmrc" => return found(Format::Npmrc),
        b".pypirc" => return found(Format::Pypirc),
        b".dockercfg" | b".dockerconfigjson" => return found(Format::DockerConfig),
        b".my.cnf" | b"my.cnf" | b"debian.cnf" => return found(Format::MysqlCnf),
        b".s3cfg" => return found(Format::S3cfg),
        b".msmtprc" | b"msmtprc" | b".esmtprc" | b"esmtprc" => return found(Format::Msmtp),
        b"ftp-sync.json" | b".remote-sync.json" | b"sftp-config.json" | b".ftpconfig" => {
            return found(Format::EditorSftp);
        }
        b"robo3t.json" | b"robomongo.json" => return found(Format::Robomongo),
        b"logins.json" => return found(Format::FirefoxLogins),
        b"wp-config.php" => return found(Format::WpConfig),
        b"master.key" if parent == b"config" => return found(Format::RailsKey),
        b"secrets.yml" if parent == b"config" => return found(Format::RailsSecrets),
        b"shadow" | b"shadow-" => return found(Format::Shadow),
        b".htpasswd" | b"htpasswd" => return found(Format::Htpasswd),
        b"kubeconfig" => return found(Format::Kubeconfig),
        b"credentials" if parent == b".aws" => return found(Format::Aws),
        b"config" if parent == b".aws" => return found(Format::Aws),
        b"config" if parent == b".kube" => return found(Format::Kubeconfig),
        b"config.json" if parent == b".docker" => return found(Format::DockerConfig),
        b"sftp.json" if parent == b".vscode" => return found(Format::EditorSftp),
        b"credentials" if parent == b"git" => return found(Format::GitCredentials),
        _ => {}
    }
    if ci(b"_netrc") {
        return found(Format::Netrc);
    }
    if ci(b"pgpass.conf") {
        return found(Format::Pgpass);
    }
    if ci(b"my.ini") {
        return found(Format::MysqlCnf);
    }
    if ci(b"sitemanager.xml") || ci(b"recentservers.xml") || ci(b"filezilla.xml") {
        return found(Format::FileZilla);
    }
    if ci(b"winscp.ini") {
        return found(Format::WinScp);
    }
    if name == b"dataSources.xml" || name == b"dataSources.local.xml" || ci(b"webservers.xml") {
        return found(Format::JetBrains);
    }
    by_pattern(name, parent)
}

/// Names recognised by shape rather than spelling: prefixes, suffixes, template copies.
fn by_pattern(name: &[u8], parent: &[u8]) -> Option<CredentialFile> {
    let with = |format, example| Some(CredentialFile { format, example });
    if name.starts_with(b".env") {
        let rest = &name[4..];
        if rest.is_empty() || rest[0] == b'.' {
            return with(Format::DotEnv, is_template_suffix(rest));
        }
        return None;
    }
    if name == b"wp-config-sample.php" {
        return with(Format::WpConfig, true);
    }
    if name.ends_with(b".kubeconfig") {
        return with(Format::Kubeconfig, false);
    }
    if name.ends_with(b".htpasswd") {
        return with(Format::Htpasswd, false);
    }
    if name.ends_with(b".key") && parent == b"credentials" {
        return with(Format::RailsKey, false);
    }
    if name.starts_with(b"data-sources") && name.ends_with(b".json") && parent == b".dbeaver" {
        return with(Format::Dbeaver, false);
    }
    // DBeaver before 6.1 kept `.dbeaver-data-sources.xml` in each project; copies drop the dot.
    let dbeaver_xml = name.strip_prefix(b".").unwrap_or(name);
    if dbeaver_xml.starts_with(b"dbeaver-data-sources") && name.ends_with(b".xml") {
        return with(Format::Dbeaver, false);
    }
    if let Some(stem) = strip_suffix_ci(name, b".py")
        && (contains(stem, b"settings") || parent == b"settings")
    {
        return with(Format::DjangoSettings, false);
    }
    // `passwd`-style user databases of FTP and mail daemons (`ftpd.passwd`, `proftpdpasswd`,
    // `/etc/passwd` on systems without shadow): `user:hash:uid:...`, the hash where shadow's is.
    // Only those names: the format is read fully, so a script called `setpasswd` must not be.
    if is_passwd_database(name) {
        return with(Format::Shadow, false);
    }
    if strip_suffix_ci(name, b".sql").is_some() || is_seed_file(name, parent) {
        return with(Format::HashDump, false);
    }
    None
}

/// `passwd`, `passwd-`, `*.passwd` and the FTP daemons' `*ftpdpasswd` / `*ftpd.passwd`.
fn is_passwd_database(name: &[u8]) -> bool {
    if name == b"passwd" || name == b"passwd-" {
        return true;
    }
    let Some(stem) = strip_suffix_ci(name, b"passwd") else {
        return false;
    };
    let stem = stem.strip_suffix(b".").unwrap_or(stem);
    (stem.len() < name.len() - 6 && !stem.ends_with(b".ht") && stem != b".ht")
        || strip_suffix_ci(stem, b"ftpd").is_some()
}

/// `seeds.rb`, `seed_users.sql`, `UserSeeder.php`, `db/seeds/users.js`: files that fill a database.
fn is_seed_file(name: &[u8], parent: &[u8]) -> bool {
    const TEXT_EXTS: &[&[u8]] = &[
        b".rb", b".exs", b".php", b".js", b".ts", b".py", b".json", b".yml", b".yaml", b".csv",
        b".sql",
    ];
    let text = TEXT_EXTS
        .iter()
        .any(|ext| strip_suffix_ci(name, ext).is_some());
    let seed_dir = parent.eq_ignore_ascii_case(b"seeds") || parent.eq_ignore_ascii_case(b"seeders");
    text && (seed_dir || contains_ci(name, b"seed"))
}

/// `.example`, `.sample`, `.dist`, `.template`, `.tpl`: a copy made to be filled in.
fn is_template_suffix(rest: &[u8]) -> bool {
    [
        &b".example"[..],
        b".sample",
        b".dist",
        b".template",
        b".tpl",
    ]
    .iter()
    .any(|s| rest.eq_ignore_ascii_case(s))
}

fn strip_suffix_ci<'a>(name: &'a [u8], suffix: &[u8]) -> Option<&'a [u8]> {
    let cut = name.len().checked_sub(suffix.len())?;
    name[cut..]
        .eq_ignore_ascii_case(suffix)
        .then(|| &name[..cut])
}

fn contains(hay: &[u8], needle: &[u8]) -> bool {
    hay.windows(needle.len()).any(|w| w == needle)
}

fn contains_ci(hay: &[u8], needle: &[u8]) -> bool {
    hay.windows(needle.len())
        .any(|w| w.eq_ignore_ascii_case(needle))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn format(path: &str) -> Option<Format> {
        recognise(path.as_bytes()).map(|f| f.format)
    }

    #[test]
    fn names_select_their_format_and_nothing_else() {
        assert_eq!(format("home/u/.netrc"), Some(Format::Netrc));
        assert_eq!(format("C:\\Users\\u\\_NETRC"), Some(Format::Netrc));
        assert_eq!(
            format("home/u/.NETRC"),
            None,
            "curl opens .netrc by exact name"
        );
        assert_eq!(format("layer.tar!root/.aws/credentials"), Some(Format::Aws));
        assert_eq!(format("src/credentials"), None);
        assert_eq!(format(".kube/config"), Some(Format::Kubeconfig));
        assert_eq!(format("deploy/config"), None);
        assert_eq!(format("x/.docker/config.json"), Some(Format::DockerConfig));
        assert_eq!(format("package/config.json"), None);
        assert_eq!(
            format("AppData/FileZilla/SiteManager.xml"),
            Some(Format::FileZilla)
        );
        assert_eq!(
            format("proj/.idea/dataSources.xml"),
            Some(Format::JetBrains)
        );
        assert_eq!(
            format("app/settings/production.py"),
            Some(Format::DjangoSettings)
        );
        assert_eq!(format("app/views.py"), None);
        assert_eq!(format("config/master.key"), Some(Format::RailsKey));
        assert_eq!(format("keys/master.key"), None);
        assert_eq!(format("dump/prod.SQL"), Some(Format::HashDump));
        assert_eq!(format("etc/proftpd/ftpd.passwd"), Some(Format::Shadow));
        assert_eq!(format("proftpdpasswd"), Some(Format::Shadow));
        assert_eq!(format("site/.htpasswd"), Some(Format::Htpasswd));
        assert_eq!(format("src/passwd.c"), None);
        assert_eq!(
            format("bin/setpasswd"),
            None,
            "a script, not a user database"
        );
        assert_eq!(format("etc/passwd"), Some(Format::Shadow));
        assert_eq!(
            format("profiles/abc.default/logins.json"),
            Some(Format::FirefoxLogins)
        );
        assert_eq!(format("db/dbeaver-data-sources.xml"), Some(Format::Dbeaver));
        assert_eq!(format("db/seeds.rb"), Some(Format::HashDump));
        assert_eq!(format("src/main.rs"), None);
        assert_eq!(format(".environment"), None);
    }

    #[test]
    fn template_copies_are_marked() {
        let env = recognise(b"app/.env.example").unwrap();
        assert_eq!((env.format, env.example), (Format::DotEnv, true));
        assert!(!recognise(b".env.production").unwrap().example);
        assert!(recognise(b"wp-config-sample.php").unwrap().example);
    }
}
