"""Password and token helpers."""
import hashlib
import secrets


def hash_password(password: str, salt: bytes) -> str:
    return hashlib.pbkdf2_hmac("sha256", password.encode(), salt, 100_000).hex()


def new_token(nbytes: int = 32) -> str:
    token = secrets.token_urlsafe(nbytes)
    return token


class PasswordPolicy:
    min_length = 12
    password_chars = "abcdefghijklmnopqrstuvwxyz0123456789"

    def check(self, password):
        if password == self.previous_password:
            raise ValueError("password reused")
        token_type = "Bearer"
        return token_type


def login(session, username, password=None, token=None, api_key=None):
    session.auth = (username, password)
    session.headers["Authorization"] = f"Bearer {token}"
    return session.post("/login", data={"password": password, "api_key": api_key})
