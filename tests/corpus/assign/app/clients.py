import os

import psycopg2
import requests

API_KEY = "159ofvAbDNYtW5GFMMKOI3sBcLqw"
PASSWORD = "password"


class Client:
    def __init__(self, api_key=None, password=None):
        self.api_key = api_key or os.getenv("SHOP_API_KEY")
        self.password = password


def connect():
    return psycopg2.connect(host="db", user="shop", password="oC0Pg#YT2sZV")


def admin_session():
    return login(username="admin", password="admin123")


SETTINGS = {
    "client_secret": "XaN2WiVI8sqTVKOIHfde",
    "token_type": "bearer",
    "password_length": 12,
    "secret_name": "my-secret",
}

password_field = "password"
label = _("Password")
token = requests.post(TOKEN_URL, data={"grant_type": "client_credentials"}).json()["access_token"]
