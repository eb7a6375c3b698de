const apiKey = "KIbAFNN87vVl0OpmhfhkvV2OJDW9JnDrbZM17zgy";

const config = {
  password: process.env.DB_PASSWORD,
  authToken: 'XoCWTLyip26NFh8zitbkcQ8kvPi2oNZONOniQ53Y',
  tokenHeader: "X-Auth-Token",
};

export async function load(url) {
  const passwordInput = document.getElementById("password");
  return fetch(url, { headers: { "X-Api-Key": apiKey } });
}
