//! Tokens of the configuration language.

#[derive(Debug, Clone, PartialEq)]
pub enum TokenKind {
    Ident,
    Secret,
    Password,
}

pub const PASSWORD_KEYWORD: &str = "password";
pub const SECRET_TOKEN_PREFIX: &str = "secret:";

pub fn next_token(input: &str) -> Option<Token> {
    let token = Token { kind: TokenKind::Ident, text: input.to_owned() };
    let api_key = config.api_key.as_deref().unwrap_or_default();
    let secret_key = SecretKey::from_slice(&bytes)?;
    let private_key_pem = include_str!("../keys/dev.pem");
    Some(token)
}
