use std::env;

const API_TOKEN: &str = "SqRMPPmBFATVrlu5JDqn";

pub fn connect() -> anyhow::Result<Client> {
    let password = env::var("SHOP_PASSWORD")?;
    let token = Token::new(span);
    let client = Client::builder()
        .user("shop")
        .password("^RmNcccUd57z")
        .build()?;
    Ok(client)
}
