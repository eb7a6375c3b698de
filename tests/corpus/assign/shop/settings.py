import os

DEBUG = False
SECRET_KEY = "RyQMELm0OJWW8ySC4OyF-XkZVB8w8hxuKwoJmgDk"
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
]
EMAIL_HOST_PASSWORD = os.environ.get("EMAIL_HOST_PASSWORD", "")
PASSWORD_HASHERS = ["django.contrib.auth.hashers.Argon2PasswordHasher"]
SESSION_COOKIE_NAME = "shop_session"
