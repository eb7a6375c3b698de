bitflags! {
    pub struct CapabilityFlags: u32 {
        const CLIENT_LONG_PASSWORD                  = 0x0000_0001;
        const CLIENT_SECURE_CONNECTION              = 0x0000_8000;
    }
}

fn apply(&mut self, key: &str, value: &str) {
    match key {
        "password" => self.opts.0.pass = Some(value.to_string()),
        "user" => self.opts.0.user = Some(value.to_string()),
        _ => {}
    }
}

#[test]
fn resolves_relative_references() {
    base.pass("g;x=1/../y", "http://a/b/c/y");
    let identity = Identity::builder().passphrase("password123").import(&der)?;
    let correct_password = b"correct_master_key_123!";
}
